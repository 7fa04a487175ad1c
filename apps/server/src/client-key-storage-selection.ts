import { resolveCodetetherHome } from '@codetether/oauth-pkce';
import { resolveCredentialStoreSetting } from '@codetether/provider-codex/configuration';
import { type ClientKeyStore, createFileClientKeyStore } from './client-key-store.js';
import { type ClientKeyUsageStore, createFileClientKeyUsageStore } from './client-key-usage-store.js';
import { createRedisClientKeyStore } from './redis-client-key-store.js';

/** Where the client keys and their usage live, as `CODETETHER_STORE` selects. */
export interface ClientKeyStorage {
  /** The keys. */
  store: ClientKeyStore;
  /** Their usage. */
  usage: ClientKeyUsageStore;
  /** Where, for people: the key file's path, or the Redis URL without credentials. */
  location: string;
  /** Closes a Redis connection (nothing for the file). */
  close(): Promise<void>;
}

/**
 * Opens the client key storage `CODETETHER_STORE` selects, like the login's: by default (or `file`)
 * `CODETETHER_HOME/client-keys.json` and the gateway's `client-key-usage.json`; for a `redis://` or
 * `rediss://` URL, Redis, shared by every replica using the same URL.
 *
 * @param env - the environment (`CODETETHER_STORE`, `CODETETHER_HOME`)
 * @throws the provider's `store-unavailable` error for a value that is neither `file` nor a Redis URL
 */
export function openClientKeyStorage(env: Record<string, string | undefined>): ClientKeyStorage {
  const setting = resolveCredentialStoreSetting(env);
  if (setting.type === 'redis') {
    const store = createRedisClientKeyStore({ url: setting.url });
    return { store, usage: store, location: setting.location, close: () => store.close() };
  }
  const home = resolveCodetetherHome(env);
  const store = createFileClientKeyStore({ home });
  return {
    store,
    usage: createFileClientKeyUsageStore({ home }),
    location: store.path,
    close: async () => {},
  };
}
