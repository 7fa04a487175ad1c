export { type RaceAbortOptions, raceAbort } from './abort-race.js';
export { collectCompletion } from './collect-completion.js';
export type {
  AssistantMessage,
  Backend,
  ChatMessage,
  Completion,
  CompletionRequest,
  CustomToolDefinition,
  CustomToolFormat,
  FileContentPart,
  FunctionToolDefinition,
  ReasoningEffort,
  ReasoningSummary,
  ResponseFormat,
  ServiceTier,
  TextVerbosity,
  ToolCall,
  ToolDefinition,
  UserContentPart,
} from './completion-request.js';
export {
  type ErrorMessageSource,
  type ParsedErrorBody,
  type ParseUsageLimitOptions,
  parseErrorBody,
  parseUsageLimitError,
  type UsageLimitError,
} from './error-body.js';
export { ResponsesProtocolError, type ResponsesProtocolErrorCode, ResponsesStreamError } from './errors.js';
// Event types only (`export type`): their zod schemas live in `./schemas` and never reach this entry.
export type { ResponseObject, ResponseOutputItem, ResponsesUsage } from './events/shared-schemas.js';
export type {
  ResponsesStreamEvent,
  ResponsesStreamEventOfType,
  ResponsesStreamEventType,
  UnknownResponsesEvent,
} from './events/stream-event.js';
export { isJsonNestedDeeperThan } from './json-nesting-depth.js';
export { MALFORMED_EVENT_TYPE } from './malformed-event.js';
export {
  DEFAULT_EFFORT_ENVIRONMENT_VARIABLES,
  modelSupportsReasoningEffort,
  parseReasoningEffort,
  type ResolvedModel,
  type ResolveModelAliasOptions,
  readDefaultEffortFromEnvironment,
  resolveModelAlias,
} from './model-alias.js';
export {
  type HeaderInput,
  type ParseRateLimitOptions,
  parseRateLimitHeaders,
  type RateLimitSnapshot,
  type RateLimitWindow,
} from './rate-limits.js';
export { redirectTargetOf } from './redirect-target.js';
export {
  type BuildRequestBodyOptions,
  buildResponsesInput,
  buildResponsesInstructions,
  buildResponsesRequestBody,
  DEFAULT_INSTRUCTIONS,
  type ResponsesRequestBody,
} from './request-body.js';
export {
  correctedCallIds,
  customToolCallIdsOf,
  serverCallIdFor,
  toInputItem,
  toolCallIdsOf,
} from './response-items.js';
export { createResponsesEventParser, type ResponsesEventParser } from './responses-event-parser.js';
export { createResponsesSseParser, type ResponsesSseParser } from './responses-sse-parser.js';
export {
  collectRequestSecrets,
  REDACTED,
  redactCredential,
  redactErrorInPlace,
  redactHeaders,
  redactSecrets,
  SECRET_HEADER_NAMES,
} from './secret-redaction.js';
export {
  describeServerFailure,
  isRetryableStatus,
  parseRetryAfterMs,
  type ServerFailure,
  type ServerFailureError,
  type ServerFailureWording,
} from './server-failure.js';
export {
  createSseEventDecoder,
  type DecodedSseItem,
  type SseDecoderOptions,
  type SseEventDecoder,
} from './sse-event-decoder.js';
export { DEFAULT_MAX_BUFFER_BYTES } from './sse-framer.js';
export type {
  DoneChunk,
  ErrorChunk,
  FinishReason,
  ResponseItem,
  StreamChunk,
  TextChunk,
  ThinkingChunk,
  ToolCallDeltaChunk,
  ToolCallEndChunk,
  ToolCallStartChunk,
  Usage,
} from './stream-chunk.js';
export {
  isTerminalEventType,
  type RequestContinuation,
  type ResponseConnection,
  type ResponsesTransport,
  readRequestId,
  TERMINAL_EVENT_TYPES,
  type TransportRequest,
  type TransportResponse,
} from './transport-contract.js';
export {
  isResponsesTransportError,
  type NonHttpServerReply,
  ResponsesTransportError,
  type TransportErrorCode,
  type TransportErrorDetails,
  type TransportKind,
} from './transport-error.js';
export { parseUsage } from './usage.js';
