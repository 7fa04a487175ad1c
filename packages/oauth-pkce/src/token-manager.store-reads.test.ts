import { describe, expect, it } from 'vitest';
import { makeCredentials } from './__fixtures__/credentials.js';
import { createMockFetch, jsonResponse } from './__fixtures__/mock-fetch.js';
import type { CredentialStore } from './credentials.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';
import { createTokenManager, DEFAULT_STORE_READ_INTERVAL_MS } from './token-manager.js';

const ISSUER = 'http://127.0.0.1:9';
const HOUR = 3_600_000;

/** A memory store that counts its reads. */
function countingStore(initial = makeCredentials({ expiresAt: Date.now() + HOUR })) {
  const store = createMemoryCredentialStore(initial);
  let reads = 0;
  const counted: CredentialStore = {
    ...store,
    read: () => {
      reads += 1;
      return store.read();
    },
  };
  return { store: counted, reads: () => reads };
}

/** A clock the test moves. */
function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const issuerThatMustNotBeCalled = createMockFetch(async () => jsonResponse(500, {}));

/** A manager over `store` on the test's clock whose issuer must never be asked for a refresh. */
function managerOver(store: CredentialStore, clock: { now: () => number }, storeReadIntervalMs?: number) {
  return createTokenManager({
    store,
    issuer: ISSUER,
    fetch: issuerThatMustNotBeCalled.fetch,
    now: clock.now,
    ...(storeReadIntervalMs === undefined ? {} : { storeReadIntervalMs }),
  });
}

describe('TokenManager store reads', () => {
  it('reads the store once per interval however often a token is asked for', async () => {
    const clock = manualClock();
    const { store, reads } = countingStore();
    const manager = managerOver(store, clock);
    const first = await manager.getAccessToken();
    for (let index = 0; index < 50; index += 1) expect(await manager.getAccessToken()).toBe(first);
    expect(reads()).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    clock.advance(DEFAULT_STORE_READ_INTERVAL_MS);
    await manager.getAccessToken();
    expect(reads()).toBe(2);
    expect(issuerThatMustNotBeCalled.requests).toHaveLength(0);
  });

  it('sees a login another process wrote, and a logout, once the interval has passed', async () => {
    const clock = manualClock();
    const { store } = countingStore(makeCredentials({ marker: 'old', expiresAt: clock.now() + HOUR }));
    const manager = managerOver(store, clock);
    const old = await manager.getAccessToken();
    const replacement = makeCredentials({ marker: 'new', expiresAt: clock.now() + HOUR });
    await store.write(replacement);
    expect((await manager.getAccessToken()).accessToken).toBe(old.accessToken);
    clock.advance(DEFAULT_STORE_READ_INTERVAL_MS);
    expect((await manager.getAccessToken()).accessToken).toBe(replacement.tokens.accessToken);
    await store.delete();
    clock.advance(DEFAULT_STORE_READ_INTERVAL_MS);
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'not-logged-in' });
  });

  it('reads the store on every call with an interval of 0, and after the clock went back', async () => {
    const clock = manualClock();
    const { store, reads } = countingStore();
    const manager = managerOver(store, clock, 0);
    await manager.getAccessToken();
    await manager.getAccessToken();
    expect(reads()).toBe(2);
    const backwards = managerOver(store, clock);
    await backwards.getAccessToken();
    clock.advance(-60_000);
    await backwards.getAccessToken();
    expect(reads()).toBe(4);
  });

  it('decides a refresh on a fresh read under the lock: a login another process refreshed meanwhile is used', async () => {
    const clock = manualClock();
    const { store, reads } = countingStore(
      makeCredentials({ marker: 'soon', expiresAt: clock.now() + 10 * 60_000 }),
    );
    const manager = managerOver(store, clock, 60 * 60_000);
    await manager.getAccessToken();
    const refreshedElsewhere = makeCredentials({ marker: 'fresh', expiresAt: clock.now() + HOUR });
    await store.write(refreshedElsewhere);
    // The remembered token is now inside the refresh window: the store is read under the lock first.
    clock.advance(6 * 60_000);
    expect((await manager.getAccessToken()).accessToken).toBe(refreshedElsewhere.tokens.accessToken);
    expect(reads()).toBe(2);
    expect(issuerThatMustNotBeCalled.requests).toHaveLength(0);
    // And the login read under the lock is the one remembered.
    await manager.getAccessToken();
    expect(reads()).toBe(2);
  });
});
