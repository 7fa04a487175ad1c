import { AsyncMutex } from './async-mutex.js';
import { type CredentialStore, copyCredentials, type StoredChatGptCredentials } from './credentials.js';
import { inspectSymbol } from './redaction.js';

/**
 * Creates a credential store that keeps the login in memory (tests, short-lived tools, embedding apps
 * that persist credentials themselves). `withLock` serialises callers within the process.
 *
 * @param initial - the login to start with
 */
export function createMemoryCredentialStore(initial?: StoredChatGptCredentials): CredentialStore {
  let current: StoredChatGptCredentials | undefined =
    initial === undefined ? undefined : copyCredentials(initial);
  const mutex = new AsyncMutex();
  const store: CredentialStore & { toJSON(): unknown; toString(): string } = {
    location: 'memory',
    async read() {
      return current === undefined ? undefined : copyCredentials(current);
    },
    async write(credentials) {
      current = copyCredentials(credentials);
    },
    async delete() {
      current = undefined;
    },
    withLock(fn) {
      return mutex.run(fn);
    },
    toJSON() {
      return { location: 'memory', hasCredentials: current !== undefined };
    },
    toString() {
      return 'MemoryCredentialStore { location: memory }';
    },
  };
  Object.defineProperty(store, inspectSymbol, {
    enumerable: false,
    value: () => `MemoryCredentialStore { location: 'memory', hasCredentials: ${current !== undefined} }`,
  });
  return store;
}
