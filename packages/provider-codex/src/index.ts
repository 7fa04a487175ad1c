export type { AuthDescription, CodexAuthOption } from './auth.js';
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
export {
  CodexProviderError,
  type CodexProviderErrorCode,
  type CodexProviderErrorOptions,
  isCodexProviderError,
  type UpstreamErrorBody,
} from './errors.js';
export { CHATGPT_SUPPORTED_MODELS, listModelsForBackend, type ModelInfo } from './model-catalogue.js';
export {
  type CodexProvider,
  type CodexProviderOptions,
  type CodexRequestOptions,
  createCodexProvider,
} from './provider.js';
export type { TransportFallbackInfo } from './turn-sender.js';
export { buildDefaultUserAgent } from './user-agent.js';
