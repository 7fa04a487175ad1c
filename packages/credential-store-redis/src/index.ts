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
export { parseRedisStoreUrl, type RedisConnectionSettings } from './redis-store-url.js';
