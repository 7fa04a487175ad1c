import { timingSafeEqual } from 'node:crypto';
import { bearerKeyOf, digestOfKey, incorrectKeyError } from './bearer-authentication.js';
import { ClientKeyError } from './client-key-error.js';
import { type ClientKeyStore, SERVER_KEY_NAME } from './client-key-store.js';
import { GatewayError } from './openai-error.js';

/**
 * The answer while the key store cannot be read: a shared store (Redis) that is down is 503
 * `store_unavailable` (retry later; never a 401 that would tell the client its key was revoked), any
 * other failure (a damaged key file) 500 `client_key_store_unreadable`.
 */
function keyStoreError(error: unknown): GatewayError {
  if (error instanceof ClientKeyError && error.code === 'client_key_store_unavailable') {
    return new GatewayError(
      503,
      'server_error',
      `${error.message} Until then the gateway refuses client keys.`,
      {
        cause: error,
        code: 'store_unavailable',
        retryAfterSeconds: 1,
      },
    );
  }
  return new GatewayError(
    500,
    'server_error',
    `${error instanceof ClientKeyError ? error.message : 'The client key store could not be read.'} Until then the gateway refuses client keys (its own key still works).`,
    { cause: error, code: 'client_key_store_unreadable' },
  );
}

/** Who an authenticated request is: the key it presented and the login profile it spends. */
export interface AuthenticatedClient {
  /** The key's name (`server` for the gateway's own key), as per-key metrics name it. */
  readonly keyName: string;
  /** The login profile the request runs in. */
  readonly profile: string;
}

/** Tells which key a request presented, or refuses it. */
export interface ClientAuthenticator {
  /**
   * Checks a request's `Authorization` header against the gateway's own key and every client key (the
   * store is read again when it changed, so a revoked key is refused at once); resolves to the key's
   * name (`server` for the gateway's own key).
   *
   * @throws a 401 {@link GatewayError} (`missing_api_key`, `invalid_api_key`); a 503 `store_unavailable`
   *   when a shared key store (Redis) is down, a 500 when the key file cannot be read (the gateway's
   *   own key is accepted either way)
   */
  authenticate(authorization: string | undefined): Promise<string>;
  /** The profile a client key was created with (`keys create NAME --profile P`), by key name, if any. */
  profileOf(name: string): string | undefined;
}

/**
 * Creates the gateway's authenticator: the gateway's own key (as before) and, with a store, every
 * client key in it. The gateway's own key is accepted without reading the store. For any other key
 * every stored hash is compared (SHA-256 of the presented key, `timingSafeEqual`, no early exit), so
 * neither which client key matched nor how many there are shows in the timing.
 *
 * @param apiKey - the gateway's own key
 * @param store - the client keys, if any
 */
export function createClientAuthenticator(apiKey: string, store?: ClientKeyStore): ClientAuthenticator {
  if (apiKey === '') throw new TypeError('The server API key must not be empty.');
  const serverDigest = digestOfKey(apiKey);
  let profilesByName = new Map<string, string>();
  return {
    async authenticate(authorization) {
      const presented = digestOfKey(bearerKeyOf(authorization));
      // The gateway's own key needs no store: no read of it (a `stat` per request for the file store, a
      // round trip for Redis) on the path of every request made with it. The answer says which key it was
      // anyway, so answering it sooner tells nothing more.
      if (timingSafeEqual(presented, serverDigest)) return SERVER_KEY_NAME;
      let matched: string | undefined;
      if (store !== undefined) {
        let records: Awaited<ReturnType<ClientKeyStore['load']>>;
        try {
          records = await store.load();
        } catch (error) {
          // Any key but the gateway's own cannot be told apart from a revoked one.
          throw keyStoreError(error);
        }
        const profiles = new Map<string, string>();
        for (const record of records) {
          const stored = Buffer.from(record.hash, 'hex');
          if (timingSafeEqual(presented, stored) && matched === undefined) matched = record.name;
          if (record.profile !== undefined) profiles.set(record.name, record.profile);
        }
        profilesByName = profiles;
      }
      if (matched === undefined) throw incorrectKeyError();
      return matched;
    },
    profileOf: (name) => profilesByName.get(name),
  };
}
