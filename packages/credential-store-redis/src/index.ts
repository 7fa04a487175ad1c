export {
  type ClientKeyListing,
  createRedisClientKeyRegistry,
  type RedisClientKeyRegistry,
  type RedisClientKeyRegistryOptions,
  type StoredClientKey,
  type StoredClientKeyUsage,
} from './redis-client-key-registry.js';
export {
  createRedisCredentialStore,
  type RedisCredentialStore,
  type RedisCredentialStoreOptions,
} from './redis-credential-store.js';
export {
  isRedisCredentialStoreError,
  RedisCredentialStoreError,
  type RedisCredentialStoreErrorCode,
  type RedisCredentialStoreErrorOptions,
} from './redis-credential-store-error.js';
export type { RedisLockOptions } from './redis-lock.js';
export {
  inspectRedisStore,
  type RedisStoreInspection,
  type RedisStoreInspectionOptions,
} from './redis-store-inspection.js';
export { parseRedisStoreUrl, type RedisConnectionSettings } from './redis-store-url.js';
