export { type ActiveStream, ActiveStreamRegistry } from './active-stream-registry.js';
export { createBearerAuthenticator } from './bearer-authentication.js';
export {
  type ChatCompletion,
  type ChatCompletionAccumulator,
  type ChatCompletionAccumulatorOptions,
  type ChatCompletionToolCall,
  createChatCompletionAccumulator,
} from './chat-completion-accumulator.js';
export {
  type ChatCompletionChunk,
  type ChatCompletionChunkTranslator,
  type ChatCompletionChunkTranslatorOptions,
  type ChatCompletionDelta,
  type ChatCompletionToolCallDelta,
  createChatCompletionChunkTranslator,
  type OpenAiFinishReason,
  toOpenAiFinishReason,
} from './chat-completion-chunks.js';
export { toCompletionRequest } from './chat-completion-request-conversion.js';
export {
  type ChatCompletionRequestBody,
  chatCompletionRequestSchema,
  REASONING_EFFORTS,
} from './chat-completion-request-schema.js';
export { REASONING_HEADER, type ReasoningContentMode } from './gateway-context.js';
export {
  createGatewayLogger,
  type GatewayLogger,
  type GatewayLoggerOptions,
  REDACTED_LOG_PATHS,
} from './gateway-logger.js';
export { GatewayMetrics, type MetricLabels } from './gateway-metrics.js';
export type {
  GatewayModel,
  GatewayProvider,
  GatewayProviderRequestOptions,
  GatewayResponseStream,
} from './gateway-provider.js';
export {
  createGatewayServer,
  DEFAULT_MAX_BODY_BYTES,
  type GatewayServer,
  type GatewayServerOptions,
} from './gateway-server.js';
export { type OpenAiModel, toOpenAiModelList } from './models-route.js';
export {
  GatewayError,
  type GatewayErrorOptions,
  isGatewayError,
  type OpenAiErrorBody,
  type OpenAiErrorType,
} from './openai-error.js';
export { type OpenAiChatUsage, toOpenAiChatUsage } from './openai-usage.js';
export { responsesRequestSchema } from './responses-route.js';
export {
  generateServerApiKey,
  loadOrCreateServerApiKey,
  SERVER_API_KEY_FILE_NAME,
  SERVER_API_KEY_PREFIX,
  type ServerApiKey,
  type ServerApiKeyOptions,
} from './server-api-key.js';
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
  type GatewayCloseOptions,
  type RunningGateway,
  type StartGatewayServerOptions,
  startGatewayServer,
} from './start-gateway-server.js';
export { findUnsupportedChatParameter } from './unsupported-chat-parameters.js';
export { mapProviderError, mapStreamErrorChunk } from './upstream-error-mapping.js';
