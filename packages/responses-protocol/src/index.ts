export type { FinishReason, Usage, TextChunk, ThinkingChunk, ToolCallStartChunk, ToolCallDeltaChunk, ToolCallEndChunk, DoneChunk, ErrorChunk, StreamChunk } from './stream-chunk.js';
export type { UserContentPart, ToolCall, ToolDefinition, ChatMessage, ReasoningEffort, CompletionRequest, Backend, Completion } from './completion-request.js';
export { ResponsesProtocolError, ResponsesStreamError, type ResponsesProtocolErrorCode } from './errors.js';
export { parseUsage } from './usage.js';
export { createSseEventDecoder, type DecodedSseItem, type SseDecoderOptions, type SseEventDecoder } from './sse-event-decoder.js';
export { DEFAULT_MAX_BUFFER_BYTES } from './sse-framer.js';
export { createEventReducer, STREAM_CLOSED_MESSAGE, type EventReducer } from './event-reducer.js';
export { createResponsesSseParser, type ResponsesSseParser } from './responses-sse-parser.js';
export { createResponsesEventParser, type ResponsesEventParser } from './responses-event-parser.js';
export {
  resolveModelAlias,
  readDefaultEffortFromEnvironment,
  parseReasoningEffort,
  modelSupportsReasoningEffort,
  DEFAULT_EFFORT_ENVIRONMENT_VARIABLES,
  type ResolvedModel,
  type ResolveModelAliasOptions,
} from './model-alias.js';
export {
  buildResponsesRequestBody,
  buildResponsesInput,
  DEFAULT_INSTRUCTIONS,
  type BuildRequestBodyOptions,
  type ResponsesRequestBody,
} from './request-body.js';
export { collectCompletion } from './collect-completion.js';
export {
  parseRateLimitHeaders,
  type RateLimitSnapshot,
  type RateLimitWindow,
  type HeaderInput,
  type ParseRateLimitOptions,
} from './rate-limits.js';
export {
  parseErrorBody,
  parseUsageLimitError,
  type ParsedErrorBody,
  type UsageLimitError,
  type ParseUsageLimitOptions,
} from './error-body.js';
export * from './events/control-events.js';
export * from './events/hosted-tool-events.js';
export * from './events/lifecycle-events.js';
export * from './events/output-item-events.js';
export * from './events/reasoning-events.js';
export * from './events/shared-schemas.js';
export * from './events/stream-event.js';
export * from './events/text-events.js';
export * from './events/tool-call-events.js';
