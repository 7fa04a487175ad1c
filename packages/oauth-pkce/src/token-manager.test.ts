import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCredentials } from './__fixtures__/credentials.js';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { createMockFetch, jsonResponse } from './__fixtures__/mock-fetch.js';
import { createFileCredentialStore } from './file-credential-store.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';
import { createTokenManager } from './token-manager.js';

const ISSUER = 'http://127.0.0.1:9';
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-manager-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** An issuer whose refresh rotates tokens: refresh-N → refresh-(N+1). */
function rotatingIssuer(delayMs = 0) {
  let generation = 0;
  return createMockFetch(async (request) => {
    if (request.url.endsWith('/oauth/revoke')) return new Response(null, { status: 200 });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    generation++;
    return jsonResponse(200, {
      access_token: makeChatGptJwt({
        marker: `gen-${generation}`,
        accountId: 'acct_new',
        planType: 'pro',
        email: 'new@example.com',
      }),
      refresh_token: `refresh-gen-${generation}`,
      expires_in: 3600,
    });
  });
}

const refreshCount = (requests: Array<{ fields: Record<string, unknown> }>) =>
  requests.filter((request) => request.fields.grant_type === 'refresh_token').length;

describe('TokenManager', () => {
  it('returns the stored token with claims when it is not near expiry', async () => {
    const credentials = makeCredentials({ expiresAt: Date.now() + 3_600_000 });
    const issuer = rotatingIssuer();
    const manager = createTokenManager({
      store: createMemoryCredentialStore(credentials),
      issuer: ISSUER,
      fetch: issuer.fetch,
    });
    expect(await manager.getAccessToken()).toEqual({
      accessToken: credentials.tokens.accessToken,
      accountId: 'acct_123',
      expiresAt: credentials.tokens.expiresAt,
      planType: 'plus',
      email: 'user@example.com',
    });
    expect(issuer.requests).toHaveLength(0);
  });

  it('throws not-logged-in without credentials', async () => {
    const manager = createTokenManager({ store: createMemoryCredentialStore() });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'not-logged-in' });
    await expect(manager.forceRefresh()).rejects.toMatchObject({ code: 'not-logged-in' });
  });

  it('refreshes within 5 minutes of expiry and persists the rotated refresh token first', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials({ expiresAt: Date.now() + 4 * 60_000 }));
    const issuer = rotatingIssuer();
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch });
    const token = await manager.getAccessToken();
    expect(refreshCount(issuer.requests)).toBe(1);
    expect(issuer.requests[0]?.fields.refresh_token).toBe('refresh-one');
    const stored = await store.read();
    expect(stored?.tokens.refreshToken).toBe('refresh-gen-1');
    expect(stored?.tokens.accessToken).toBe(token.accessToken);
    expect(stored?.tokens.idToken).toBe(makeCredentials().tokens.idToken);
    expect(stored?.accountId).toBe('acct_123');
    // Claims come from the id token first (kept from before, the issuer sent none).
    expect(token.planType).toBe('plus');
  });

  it('honours a custom refresh window and clock', async () => {
    const store = createMemoryCredentialStore(makeCredentials({ expiresAt: 10_000 }));
    const issuer = rotatingIssuer();
    const manager = createTokenManager({
      store,
      issuer: ISSUER,
      fetch: issuer.fetch,
      now: () => 5_000,
      refreshWindowMs: 1000,
    });
    await manager.getAccessToken();
    expect(refreshCount(issuer.requests)).toBe(0);
    const later = createTokenManager({
      store,
      issuer: ISSUER,
      fetch: issuer.fetch,
      now: () => 9_500,
      refreshWindowMs: 1000,
    });
    await later.getAccessToken();
    expect(refreshCount(issuer.requests)).toBe(1);
  });

  it('makes exactly one refresh request for 100 concurrent callers', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials({ expiresAt: Date.now() - 1000 }));
    const issuer = rotatingIssuer(20);
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch });
    const results = await Promise.all(Array.from({ length: 100 }, () => manager.getAccessToken()));
    expect(refreshCount(issuer.requests)).toBe(1);
    expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
  });

  it('forceRefresh skips the refresh when the rejected token was already replaced', async () => {
    const store = createMemoryCredentialStore(makeCredentials());
    const issuer = rotatingIssuer(5);
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch });
    const first = await manager.getAccessToken();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => manager.forceRefresh(first.accessToken)),
    );
    expect(refreshCount(issuer.requests)).toBe(1);
    expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
    expect(results[0]?.accessToken).not.toBe(first.accessToken);
    await manager.forceRefresh(first.accessToken);
    expect(refreshCount(issuer.requests)).toBe(1);
    await manager.forceRefresh();
    expect(refreshCount(issuer.requests)).toBe(2);
  });

  it('reports a rejected refresh token as refresh-token-rejected and keeps the credentials', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials({ expiresAt: 0 }));
    const before = await readFile(store.location, 'utf8');
    const issuer = createMockFetch(() =>
      jsonResponse(401, {
        error: { code: 'refresh_token_reused', message: 'Your refresh token was already used' },
      }),
    );
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch });
    const error = await manager.getAccessToken().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'refresh-token-rejected', isRetryable: false });
    expect((error as Error).message).toContain('codetether auth login');
    expect((error as Error).message).not.toContain('refresh-one');
    expect(await readFile(store.location, 'utf8')).toBe(before);
  });

  it('sends a rejected refresh token to the issuer once, until the store holds another login', async () => {
    const store = createMemoryCredentialStore(makeCredentials({ expiresAt: 0 }));
    let reject = true;
    const rotating = rotatingIssuer();
    const issuer = createMockFetch((request) =>
      reject
        ? jsonResponse(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' })
        : rotating.fetch(request.url, { method: 'POST', headers: request.headers, body: request.body }),
    );
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch });
    const first = await manager.getAccessToken().catch((caught: unknown) => caught);
    const again = await manager.getAccessToken().catch((caught: unknown) => caught);
    const forced = await manager.forceRefresh().catch((caught: unknown) => caught);
    for (const error of [first, again, forced]) {
      expect(error).toMatchObject({ code: 'refresh-token-rejected', isRetryable: false });
      expect((error as Error).message).toContain('codetether auth login');
    }
    expect(refreshCount(issuer.requests)).toBe(1);

    reject = false;
    await store.write(makeCredentials({ expiresAt: 0, marker: 'logged-in-again' }));
    await manager.forceRefresh();
    expect(refreshCount(issuer.requests)).toBe(2);
  });

  it('keeps the credentials intact on a network failure and succeeds afterwards', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials({ expiresAt: 0 }));
    const before = await readFile(store.location, 'utf8');
    let fail = true;
    const working = rotatingIssuer();
    const fetch: typeof globalThis.fetch = async (input, init) => {
      if (fail)
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
      return working.fetch(input, init);
    };
    const manager = createTokenManager({ store, issuer: ISSUER, fetch });
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      code: 'network-error',
      isRetryable: true,
    });
    expect(await readFile(store.location, 'utf8')).toBe(before);
    fail = false;
    expect((await manager.getAccessToken()).accessToken).toBe((await store.read())?.tokens.accessToken);
  });

  it('never shows tokens when inspected or serialised', async () => {
    const credentials = makeCredentials();
    const manager = createTokenManager({ store: createMemoryCredentialStore(credentials), issuer: ISSUER });
    await manager.getAccessToken();
    for (const text of [
      inspect(manager, { depth: 10, showHidden: true }),
      String(manager),
      JSON.stringify(manager),
    ]) {
      expect(text).not.toContain(credentials.tokens.accessToken);
      expect(text).not.toContain(credentials.tokens.refreshToken);
    }
    expect(inspect(manager)).toContain('redacted');
  });

  it('logout revokes the refresh token (own login) and deletes the credentials', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials());
    const issuer = rotatingIssuer();
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch });
    await manager.logout();
    expect(issuer.requests.map((request) => request.url)).toEqual([`${ISSUER}/oauth/revoke`]);
    expect(issuer.requests[0]?.fields).toMatchObject({
      token: 'refresh-one',
      token_type_hint: 'refresh_token',
    });
    expect(await store.read()).toBeUndefined();
    await manager.logout();
  });

  it('logout skips revocation for an imported Codex CLI login unless asked, and tolerates revoke failures', async () => {
    const issuer = createMockFetch(() => new Response('down', { status: 503 }));
    const imported = createMemoryCredentialStore(makeCredentials({ source: 'codex-cli-import' }));
    await createTokenManager({ store: imported, issuer: ISSUER, fetch: issuer.fetch }).logout();
    expect(issuer.requests).toHaveLength(0);
    expect(await imported.read()).toBeUndefined();
    const own = createMemoryCredentialStore(makeCredentials());
    await createTokenManager({ store: own, issuer: ISSUER, fetch: issuer.fetch }).logout({ revoke: true });
    expect(issuer.requests).toHaveLength(1);
    expect(await own.read()).toBeUndefined();
    const noRevoke = createMemoryCredentialStore(makeCredentials());
    await createTokenManager({ store: noRevoke, issuer: ISSUER, fetch: issuer.fetch }).logout({
      revoke: false,
    });
    expect(issuer.requests).toHaveLength(1);
  });

  it('logout deletes a corrupt credentials file', async () => {
    const store = createFileCredentialStore({ home: folder });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(store.location, 'not json');
    await createTokenManager({ store, issuer: ISSUER }).logout();
    expect(await store.read()).toBeUndefined();
  });
});

describe('secrets in inspection output', () => {
  it('redacts tokens when login results, stored credentials and access tokens are logged', async () => {
    const credentials = makeCredentials({ expiresAt: 0 });
    const issuer = rotatingIssuer();
    const store = createMemoryCredentialStore(credentials);
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch });
    const info = await manager.getAccessToken();
    const stored = await store.read();
    for (const value of [info, stored, stored?.tokens]) {
      for (const text of [
        inspect(value, { depth: 10 }),
        String(value),
        inspect({ nested: value }, { depth: 10 }),
      ]) {
        expect(text).toContain('redacted');
        expect(text).not.toContain(info.accessToken);
        expect(text).not.toContain(String(stored?.tokens.refreshToken));
        expect(text).not.toContain(credentials.tokens.refreshToken);
      }
    }
    // Still plain data: JSON (for deliberate persistence) and equality are unaffected.
    expect(JSON.parse(JSON.stringify(stored?.tokens)).refreshToken).toBe(stored?.tokens.refreshToken);
    expect({ ...info }).toEqual(info);
  });
});
