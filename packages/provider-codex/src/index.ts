export {
  type AuthDescription,
  type CodexAuthOption,
  MISSING_ACCOUNT_ID_MESSAGE,
} from './auth.js';
export type { CodexTransport, CodexTransportRequest, CodexTransportResponse } from './codex-transport.js';
export {
  DEFAULT_AUTH_ISSUER,
  DEFAULT_CHATGPT_BASE_URL,
  DEFAULT_FALLBACK_STICKY_MS,
  DEFAULT_OPENAI_BASE_URL,
  DEFAULT_ORIGINATOR,
  type ResolvedEndpoints,
  resolveEndpoints,
  resolveTransportMode,
  type TransportMode,
} from './configuration.js';
export { DEFAULT_INSTRUCTIONS } from './default-instructions.js';
export {
  CodexProviderError,
  type CodexProviderErrorCode,
  type CodexProviderErrorOptions,
  isCodexProviderError,
} from './errors.js';
export {
  API_KEY_HIDDEN_MODELS,
  CHATGPT_SUPPORTED_MODELS,
  listModelsForBackend,
  type ModelInfo,
  validateModelForBackend,
} from './model-catalogue.js';
export {
  type PassthroughBodyOptions,
  type PreparedPassthroughBody,
  preparePassthroughBody,
} from './passthrough-body.js';
export {
  type CodexProvider,
  type CodexProviderOptions,
  type CodexRequestOptions,
  createCodexProvider,
  type TransportFallbackInfo,
} from './provider.js';
export {
  buildRequestHeaders,
  HTTP_OPENAI_BETA,
  type RequestHeaderInput,
  WEBSOCKET_OPENAI_BETA,
} from './request-headers.js';
export { missingScopeMessage, usageLimitMessage } from './transport-error-mapping.js';
export { buildDefaultUserAgent, PROVIDER_VERSION } from './user-agent.js';
