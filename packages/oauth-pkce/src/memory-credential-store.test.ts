import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeCredentials } from './__fixtures__/credentials.js';
import { createStoredCredentials } from './credentials.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';

describe('createMemoryCredentialStore', () => {
  it('stores copies and never shows tokens when inspected', async () => {
    const initial = makeCredentials();
    const store = createMemoryCredentialStore(initial);
    expect(store.location).toBe('memory');
    const read = await store.read();
    expect(read).toEqual(initial);
    if (read) read.tokens.accessToken = 'mutated';
    expect((await store.read())?.tokens.accessToken).toBe(initial.tokens.accessToken);
    expect(inspect(store)).not.toContain(initial.tokens.refreshToken);
    expect(inspect(store)).toContain('hasCredentials: true');
    expect(JSON.stringify(store)).not.toContain(initial.tokens.refreshToken);
    expect(String(store)).not.toContain(initial.tokens.refreshToken);
    await store.delete();
    expect(await store.read()).toBeUndefined();
    await store.write(initial);
    expect(await store.read()).toEqual(initial);
  });

  it('serialises withLock callers', async () => {
    const store = createMemoryCredentialStore();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((value) =>
        store.withLock(async () => {
          order.push(value);
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(value);
        }),
      ),
    );
    expect(order).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('createStoredCredentials fills the account id, time and source for a new login', async () => {
    const { tokens } = makeCredentials();
    expect(createStoredCredentials(tokens, { now: () => 7 })).toEqual({
      type: 'chatgpt',
      tokens,
      accountId: 'acct_123',
      lastRefreshAt: 7,
      source: 'login',
    });
    expect(createStoredCredentials(tokens, { source: 'codex-cli-import' }).source).toBe('codex-cli-import');
    expect(inspect(createStoredCredentials(tokens))).not.toContain(tokens.refreshToken);
  });
});
