import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCredentials } from './__fixtures__/credentials.js';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { createMockFetch, jsonResponse, type MockHandler } from './__fixtures__/mock-fetch.js';
import type { CredentialStore } from './credentials.js';
import { createFileCredentialStore } from './file-credential-store.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';
import { fingerprintRefreshToken } from './refresh-journal.js';
import { createTokenManager } from './token-manager.js';

const ISSUER = 'http://127.0.0.1:9';
const STARTED_AT = Date.UTC(2026, 0, 2, 3, 4, 5);
let folder: string;
let store: CredentialStore;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-journal-'));
  store = createFileCredentialStore({ home: folder });
  await store.write(makeCredentials({ expiresAt: Date.now() - 1000, refreshToken: 'refresh-old' }));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const journalPath = () => join(folder, 'auth.json.refresh-journal');

const rotated: MockHandler = () =>
  jsonResponse(200, {
    access_token: makeChatGptJwt({ marker: 'new' }),
    refresh_token: 'refresh-new',
    expires_in: 3600,
  });

const rejected =
  (code: string): MockHandler =>
  () =>
    jsonResponse(401, { error: { message: 'rejected', type: 'invalid_request_error', code } });

const dropped: MockHandler = () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
};

function manager(handler: MockHandler) {
  const issuer = createMockFetch(handler);
  return { issuer, manager: createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch }) };
}

/** Leaves the journal a refresh that spent `refreshToken` and was never completed. */
async function recordLostRefresh(refreshToken = 'refresh-old'): Promise<void> {
  await store.refreshJournal?.write({
    refreshTokenFingerprint: fingerprintRefreshToken(refreshToken),
    startedAt: STARTED_AT,
  });
}

describe('TokenManager refresh journal', () => {
  it('writes the journal (a fingerprint, never the token) before the request and removes it after saving', async () => {
    let journalDuringRequest = '';
    const { manager: tokens } = manager(async (request) => {
      journalDuringRequest = await readFile(journalPath(), 'utf8');
      return rotated(request);
    });
    await tokens.getAccessToken();
    const journal = JSON.parse(journalDuringRequest) as Record<string, unknown>;
    expect(journal).toMatchObject({
      version: 1,
      refreshTokenFingerprint: fingerprintRefreshToken('refresh-old'),
      startedAt: expect.any(Number),
    });
    expect(journalDuringRequest).not.toContain('refresh-old');
    expect((await store.read())?.tokens.refreshToken).toBe('refresh-new');
    expect(await readdir(folder)).toEqual(['auth.json']);
  });

  it('keeps the journal when the request got no answer, then reports refresh-interrupted on reuse', async () => {
    const first = manager(dropped);
    await expect(first.manager.getAccessToken()).rejects.toMatchObject({ code: 'network-error' });
    expect((await stat(journalPath())).mode & 0o777).toBe(0o600);

    const second = manager(rejected('refresh_token_reused'));
    const error = await second.manager.getAccessToken().catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'refresh-interrupted',
      status: 401,
      issuerError: { error: 'refresh_token_reused' },
      isRetryable: false,
    });
    const message = (error as Error).message;
    expect(message).toMatch(
      /^A token refresh was interrupted at \d{4}-\d\d-\d\dT.*Z before the new login could be saved/,
    );
    expect(message).toContain('Run `codetether auth login` again.');
    expect(message).not.toContain('refresh-old');
    // The same explanation is given until the user logs in again.
    await expect(second.manager.getAccessToken()).rejects.toMatchObject({ code: 'refresh-interrupted' });
  });

  it('reports refresh-interrupted with the time of the lost refresh for invalid_grant too', async () => {
    await recordLostRefresh();
    const { manager: tokens } = manager(() =>
      jsonResponse(400, { error: 'invalid_grant', error_description: 'Refresh token already used' }),
    );
    const error = await tokens.getAccessToken().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'refresh-interrupted', issuerError: { error: 'invalid_grant' } });
    expect((error as Error).message).toContain(`interrupted at ${new Date(STARTED_AT).toISOString()}`);
  });

  it('just clears the journal when the old refresh token still works', async () => {
    await recordLostRefresh();
    const { manager: tokens, issuer } = manager(rotated);
    await tokens.getAccessToken();
    expect(issuer.requests).toHaveLength(1);
    expect((await store.read())?.tokens.refreshToken).toBe('refresh-new');
    expect(await readdir(folder)).toEqual(['auth.json']);
  });

  it('reports a plain rejection (and clears the journal) when the journal is about another token', async () => {
    await recordLostRefresh('refresh-from-an-earlier-login');
    const { manager: tokens } = manager(rejected('refresh_token_reused'));
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ code: 'refresh-token-rejected' });
    expect(await readdir(folder)).toEqual(['auth.json']);
  });

  it('reports a revoked token as refresh-token-rejected even after a lost refresh', async () => {
    await recordLostRefresh();
    const { manager: tokens } = manager(rejected('refresh_token_invalidated'));
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ code: 'refresh-token-rejected' });
    expect(await readdir(folder)).toEqual(['auth.json']);
  });

  it('ignores a damaged journal and replaces it', async () => {
    await writeFile(journalPath(), 'not json', { mode: 0o600 });
    const { manager: tokens } = manager(rotated);
    await tokens.getAccessToken();
    expect(await readdir(folder)).toEqual(['auth.json']);
  });

  it('is removed by logout (delete)', async () => {
    await recordLostRefresh();
    const { manager: tokens } = manager(() => new Response(null, { status: 200 }));
    await tokens.logout();
    expect(await readdir(folder)).toEqual([]);
  });

  it('is not needed by a store without one (memory)', async () => {
    const memory = createMemoryCredentialStore(makeCredentials({ expiresAt: Date.now() - 1000 }));
    expect(memory.refreshJournal).toBeUndefined();
    const issuer = createMockFetch(rotated);
    const tokens = createTokenManager({ store: memory, issuer: ISSUER, fetch: issuer.fetch });
    await tokens.getAccessToken();
    expect((await memory.read())?.tokens.refreshToken).toBe('refresh-new');
  });
});

describe('TokenManager when another process saved a newer login during the refresh', () => {
  // Replicas sharing one store through a lock that expired mid-refresh (a slow issuer, a paused
  // process): both spend the same refresh token; the issuer rotates it for one and rejects the other,
  // whose rejection must not end in "log in again" while the store holds the other's good login.
  const newerLogin = () =>
    makeCredentials({
      expiresAt: Date.now() + 3_600_000,
      refreshToken: 'refresh-by-the-other-replica',
      marker: 'other-replica',
    });

  for (const [name, handler] of [
    ['refresh_token_reused', rejected('refresh_token_reused')],
    ['invalid_grant', () => jsonResponse(400, { error: 'invalid_grant', error_description: 'already used' })],
  ] as const) {
    it(`uses the newer login instead of failing on ${name}`, async () => {
      const saved = newerLogin();
      const { manager: tokens } = manager(async (request) => {
        // The other replica's write lands while this request is with the issuer.
        await createFileCredentialStore({ home: folder }).write(saved);
        return handler(request);
      });
      expect((await tokens.getAccessToken()).accessToken).toBe(saved.tokens.accessToken);
      expect((await store.read())?.tokens.refreshToken).toBe('refresh-by-the-other-replica');
    });
  }

  it('uses the newer login even when the journal showed a lost refresh of the spent token', async () => {
    await recordLostRefresh();
    const saved = newerLogin();
    const { manager: tokens } = manager(async (request) => {
      await createFileCredentialStore({ home: folder }).write(saved);
      return rejected('refresh_token_reused')(request);
    });
    expect((await tokens.getAccessToken()).accessToken).toBe(saved.tokens.accessToken);
  });

  it('still says log in again when the store kept the spent login', async () => {
    const { manager: tokens } = manager(rejected('refresh_token_reused'));
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ code: 'refresh-token-rejected' });
  });
});
