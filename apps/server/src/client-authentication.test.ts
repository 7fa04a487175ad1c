import { describe, expect, it } from 'vitest';
import { createClientAuthenticator } from './client-authentication.js';
import { ClientKeyError } from './client-key-error.js';
import { type ClientKeyRecord, type ClientKeyStore, hashClientKey } from './client-key-store.js';

/** A store holding `records`, counting its loads; `down` makes every load fail as Redis down would. */
function countingStore(records: ClientKeyRecord[]) {
  let loads = 0;
  let down = false;
  const store: ClientKeyStore = {
    async load() {
      loads += 1;
      if (down) throw new ClientKeyError('client_key_store_unavailable', 'The key store is unavailable.');
      return records;
    },
    create: () => Promise.reject(new Error('not used')),
    revoke: () => Promise.reject(new Error('not used')),
  };
  return {
    store,
    loads: () => loads,
    setDown: (value: boolean) => {
      down = value;
    },
  };
}

const clientRecord = (name: string, key: string, profile?: string): ClientKeyRecord => ({
  name,
  hash: hashClientKey(key),
  createdAt: '2026-11-30T00:00:00.000Z',
  ...(profile === undefined ? {} : { profile }),
});

describe('createClientAuthenticator', () => {
  it('accepts the gateway’s own key without reading the store, even when the store is down', async () => {
    const keys = countingStore([clientRecord('alpha', 'ctsk-alpha')]);
    const authenticator = createClientAuthenticator('ctsk-server', keys.store);
    for (let index = 0; index < 5; index += 1) {
      expect(await authenticator.authenticate('Bearer ctsk-server')).toBe('server');
    }
    expect(keys.loads()).toBe(0);
    keys.setDown(true);
    expect(await authenticator.authenticate('Bearer ctsk-server')).toBe('server');
  });

  it('reads the store for every client key, so a revoked key is refused on its next request', async () => {
    const records = [clientRecord('alpha', 'ctsk-alpha', 'work')];
    const keys = countingStore(records);
    const authenticator = createClientAuthenticator('ctsk-server', keys.store);
    expect(await authenticator.authenticate('Bearer ctsk-alpha')).toBe('alpha');
    expect(authenticator.profileOf('alpha')).toBe('work');
    records.pop();
    await expect(authenticator.authenticate('Bearer ctsk-alpha')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    expect(keys.loads()).toBe(2);
  });

  it('answers 503 store_unavailable (not 401) for other keys while the store is down', async () => {
    const keys = countingStore([clientRecord('alpha', 'ctsk-alpha')]);
    keys.setDown(true);
    const authenticator = createClientAuthenticator('ctsk-server', keys.store);
    await expect(authenticator.authenticate('Bearer ctsk-alpha')).rejects.toMatchObject({
      status: 503,
      code: 'store_unavailable',
    });
    await expect(authenticator.authenticate('Bearer ctsk-unknown')).rejects.toMatchObject({ status: 503 });
  });
});
