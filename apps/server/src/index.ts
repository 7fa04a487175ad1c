// What a program embedding the gateway needs, and nothing else: start it (or get its Fetch handler),
// give it a provider, read its errors, and get the server key the way `codetether-server` does.

export {
  type RestartableProcess,
  restartWithTunedAllocator,
  TUNED_ALLOCATOR_ENVIRONMENT,
} from './allocator-tuning.js';
export { ClientKeyError, type ClientKeyErrorCode } from './client-key-error.js';
export { type ClientKeyStorage, openClientKeyStorage } from './client-key-storage-selection.js';
export {
  CLIENT_KEYS_FILE_MAX_BYTES,
  type ClientKeyListing,
  type ClientKeyRecord,
  type ClientKeyStore,
  createFileClientKeyStore,
  type FileClientKeyStoreOptions,
  isUsableClientKeyRecord,
} from './client-key-store.js';
export { CLIENT_KEY_USAGE_FILE_MAX_BYTES } from './client-key-usage-file.js';
export {
  type ClientKeyUsageReport,
  type ClientKeyUsageStore,
  createFileClientKeyUsageStore,
} from './client-key-usage-store.js';
export {
  type ConnectionLimits,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './connection-limits.js';
export {
  type ConversationObject,
  type ConversationStore,
  type ConversationStoreLimits,
  DEFAULT_STORED_CONVERSATION_MAX_AGE_MS,
  DEFAULT_STORED_CONVERSATION_MAX_BYTES,
  DEFAULT_STORED_CONVERSATIONS_MAX,
} from './conversation-store.js';
export {
  createModelMap,
  DEFAULT_MODEL_MAP_RULES,
  type ModelMap,
  ModelMapError,
  type ModelMapRule,
  parseModelMapRules,
} from './dialect-model-map.js';
export { createGatewayCodexProvider } from './gateway-codex-provider.js';
export type { ReasoningContentMode } from './gateway-context.js';
export { GatewayListenError, type GatewayListenErrorCode } from './gateway-listen-error.js';
export {
  createGatewayLogger,
  type GatewayLogger,
  type GatewayLoggerOptions,
} from './gateway-logger.js';
export {
  type ConversationCounts,
  GatewayMetrics,
  type StoredConversationCounts,
} from './gateway-metrics.js';
export type {
  GatewayModel,
  GatewayProvider,
  GatewayProviderRequestOptions,
  GatewayResponseStream,
} from './gateway-provider.js';
export {
  createGatewayServer,
  DEFAULT_MAX_BODY_BYTES,
  type GatewayProfileOptions,
  type GatewayServer,
  type GatewayServerOptions,
} from './gateway-server.js';
export {
  DEFAULT_IDLE_MEMORY_RELEASE_GROWTH,
  DEFAULT_IDLE_MEMORY_RELEASE_MS,
  type GatewayActivityListener,
} from './idle-memory-release.js';
export { DEFAULT_MAX_JSON_DEPTH } from './json-nesting-limit.js';
export { GatewayError, type OpenAiErrorBody, type OpenAiErrorType } from './openai-error.js';
export { PROFILE_HEADER } from './profile-scope.js';
export {
  createRedisClientKeyStore,
  type RedisClientKeyStore,
  type RedisClientKeyStoreOptions,
} from './redis-client-key-store.js';
export { DEFAULT_WEBSOCKET_HEARTBEAT_MS } from './responses-websocket.js';
export {
  loadOrCreateServerApiKey,
  SERVER_API_KEY_FILE_MAX_BYTES,
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
