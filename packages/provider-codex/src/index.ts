export {
  type AuthDescription,
  type AuthResolutionInput,
  type AuthSession,
  type CodexAuthOption,
  profileNotLoggedInMessage,
  type RequestCredentials,
  resolveAuthSession,
} from './auth.js';
export {
  type CredentialStoreSetting,
  DEFAULT_AUTH_ISSUER,
  DEFAULT_CHATGPT_BASE_URL,
  DEFAULT_FALLBACK_STICKY_MS,
  DEFAULT_OPENAI_BASE_URL,
  DEFAULT_ORIGINATOR,
  type ResolvedEndpoints,
  resolveCredentialStoreSetting,
  resolveEndpoints,
  resolveProfile,
  resolveTransportMode,
  type TransportMode,
} from './configuration.js';
export {
  type AutoCompactOptions,
  type Conversation,
  type ConversationCallOptions,
  type ConversationOptions,
  type ConversationUpstreamRequest,
  DEFAULT_AUTO_COMPACT_SHARE,
} from './conversation.js';
export type { ConversationInput } from './conversation-history.js';
export { type CredentialStoreSelectionOptions, openCredentialStore } from './credential-store-selection.js';
export type { EmbeddingsAnswer } from './embeddings-request.js';
export {
  CodexProviderError,
  type CodexProviderErrorCode,
  type CodexProviderErrorOptions,
  isCodexProviderError,
  type UpstreamErrorBody,
} from './errors.js';
export type { CompactedHistory, HistoryCompactionRequest } from './history-compaction.js';
export type { ModelListRequest } from './live-model-catalogue.js';
export {
  bundledModelList,
  DEFAULT_CONTEXT_WINDOW,
  type ModelInfo,
  type ModelList,
  type ModelListSource,
} from './model-catalogue.js';
export { parseModelList } from './model-list-parser.js';
export { CHATGPT_REFUSED_FIELDS } from './passthrough-body.js';
export {
  type CodexProvider,
  type CodexProviderOptions,
  type CodexRequestOptions,
  createCodexProvider,
} from './provider.js';
export { buildRequestHeaders, type RequestHeaderInput } from './request-headers.js';
export {
  FORWARDABLE_RESPONSE_ID,
  MAX_STORED_RESPONSE_BYTES,
  type StoredResponseAnswer,
  type StoredResponseOperation,
  type StoredResponseRequest,
} from './stored-response-requests.js';
export type { TransportFallbackInfo } from './turn-sender.js';
export { buildDefaultUserAgent } from './user-agent.js';
