// The store selection behind `CODETETHER_STORE`, published as `@codetether/provider-codex/credential-store`
// so the CLI opens the same store as the provider without loading the provider. The Redis store is a
// dependency (not an optional peer: changesets would turn each of its minor releases into a major one of
// this package), imported only when the variable names a Redis URL, so nothing loads it otherwise.
import {
  type CredentialStore,
  createFileCredentialStore,
  DEFAULT_PROFILE,
  type RefreshJournal,
} from '@codetether/oauth-pkce';
import { type Environment, resolveCredentialStoreSetting, resolveProfile } from './configuration.js';
import { CodexProviderError } from './errors.js';

const REDIS_PACKAGE = '@codetether/credential-store-redis';

/** Options of {@link openCredentialStore}. */
export interface CredentialStoreSelectionOptions {
  /** The profile (default `CODETETHER_PROFILE`, else `default`). */
  profile?: string | undefined;
}

async function importRedisStore(url: string, profile: string): Promise<CredentialStore> {
  let redisPackage: typeof import('@codetether/credential-store-redis');
  try {
    redisPackage = await import('@codetether/credential-store-redis');
  } catch (error) {
    throw new CodexProviderError(
      'store-unavailable',
      `CODETETHER_STORE selects Redis, but ${REDIS_PACKAGE} is not installed. Install it next to @codetether/provider-codex (npm install ${REDIS_PACKAGE}), or unset CODETETHER_STORE.`,
      { isRetryable: false, cause: error },
    );
  }
  return redisPackage.createRedisCredentialStore({ url, profile });
}

/** A Redis store that loads the Redis package (and connects) on first use; `close()` closes its connection. */
function createLazyRedisStore(url: string, location: string, profile: string): CredentialStore {
  let loading: Promise<CredentialStore> | undefined;
  const load = () => {
    loading ??= importRedisStore(url, profile);
    // A failed import is reported again on the next use, not cached forever.
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
  const journal = async (): Promise<RefreshJournal | undefined> => (await load()).refreshJournal;
  const description = `RedisCredentialStore { location: ${location} }`;
  const store: CredentialStore & { close(): Promise<void>; toJSON(): unknown; toString(): string } = {
    location,
    profile,
    close: async () => {
      const opened = await loading?.catch(() => undefined);
      await (opened as { close?: () => Promise<void> } | undefined)?.close?.();
    },
    listProfiles: async () => (await (await load()).listProfiles?.()) ?? [],
    read: async () => (await load()).read(),
    write: async (credentials) => (await load()).write(credentials),
    delete: async () => (await load()).delete(),
    withLock: async (fn) => (await load()).withLock(fn),
    refreshJournal: {
      location: `${location} (refresh journal)`,
      read: async () => (await journal())?.read(),
      write: async (entry) => (await journal())?.write(entry),
      clear: async () => (await journal())?.clear(),
    },
    toJSON: () => ({ location }),
    toString: () => description,
  };
  return store;
}

/**
 * Opens the credential store `CODETETHER_STORE` selects: the file store `$CODETETHER_HOME/auth.json` by
 * default (or `file`), or for a `redis://` / `rediss://` URL the Redis store of
 * `@codetether/credential-store-redis` (imported on first use; when a bundle left it out, using the store
 * fails with `store-unavailable`). An invalid value throws `store-unavailable`.
 *
 * The profile (option, else `CODETETHER_PROFILE`, else `default`) picks the login inside the store: the
 * default profile is where the login always was (`auth.json`, Redis `codetether:credentials`), a named
 * one is `$CODETETHER_HOME/profiles/<name>/auth.json` or Redis `codetether:profile:<name>:credentials`.
 * An invalid profile name throws `invalid-request`. The store's `listProfiles()` lists the profiles that
 * hold a login.
 *
 * @param env - the environment (`CODETETHER_STORE`, `CODETETHER_HOME`, `CODETETHER_PROFILE`)
 * @param options - an explicit profile
 */
export function openCredentialStore(
  env: Environment,
  options: CredentialStoreSelectionOptions = {},
): CredentialStore {
  const profile = resolveProfile(options.profile, env);
  const setting = resolveCredentialStoreSetting(env);
  if (setting.type === 'redis') {
    const location =
      profile === DEFAULT_PROFILE ? setting.location : `${setting.location} (profile ${profile})`;
    return createLazyRedisStore(setting.url, location, profile);
  }
  return createFileCredentialStore({ env: { ...env }, profile });
}
