import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnFixture, waitForLine } from './__fixtures__/child-process.js';
import type { CredentialStore } from './credentials.js';
import { createFileCredentialStore } from './file-credential-store.js';
import { fingerprintRefreshToken } from './refresh-journal.js';
import { refreshTokens } from './token-endpoint.js';
import { createTokenManager } from './token-manager.js';

let folder: string;
let issuer: Emulator;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-processes-'));
  issuer = await startEmulator();
});

afterEach(async () => {
  await issuer.close();
  await rm(folder, { recursive: true, force: true });
});

/** Resolves once `condition` holds (checked every 10 ms); fails after 30 s. */
async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const refreshRequests = () =>
  issuer.requests.filter(
    (request) =>
      request.path === '/oauth/token' &&
      (request.body as Record<string, unknown>).grant_type === 'refresh_token',
  );

/** Stores a login from the emulator whose access token expired a minute ago. */
async function storeExpiredLogin(store: CredentialStore) {
  const expired = issuer.issueTokens({ expiresInSeconds: -60 });
  await store.write({
    type: 'chatgpt',
    tokens: {
      accessToken: expired.accessToken,
      refreshToken: expired.refreshToken,
      idToken: expired.idToken,
      expiresAt: expired.expiresAt,
    },
    accountId: expired.accountId,
    lastRefreshAt: Date.now(),
    source: 'login',
  });
  return expired;
}

describe('TokenManager across processes', () => {
  it('4 processes sharing one auth.json that all need a refresh make exactly one refresh request', async () => {
    const store = createFileCredentialStore({ home: folder });
    const expired = await storeExpiredLogin(store);

    const children = Array.from({ length: 4 }, () =>
      spawnFixture('refresh-child.mjs', [store.location, issuer.issuerUrl]),
    );
    try {
      await Promise.all(children.map((child) => waitForLine(child, (line) => line === 'ready')));
      const outcomes = children.map((child) => waitForLine(child, (line) => line.startsWith('{')));
      const exits = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
      for (const child of children) child.stdin.write('go\n');
      const results = (await Promise.all(outcomes)).map(
        (line) => JSON.parse(line) as { accessToken?: string; accountId?: string; error?: string },
      );
      expect(await Promise.all(exits)).toEqual([0, 0, 0, 0]);

      // Exactly one refresh request reached the issuer.
      expect(refreshRequests()).toHaveLength(1);
      // Every process ends with the same, new access token.
      expect(results.every((result) => result.error === undefined)).toBe(true);
      expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
      expect(results[0]?.accessToken).not.toBe(expired.accessToken);
      expect(results[0]?.accountId).toBe(expired.accountId);

      // The file is intact, holds the new token and the rotated refresh token, and no temp file is left.
      const stored = await store.read();
      expect(stored?.tokens.accessToken).toBe(results[0]?.accessToken);
      expect(stored?.tokens.refreshToken).not.toBe(expired.refreshToken);
      expect(JSON.parse(await readFile(store.location, 'utf8'))).toMatchObject({ version: 1 });
      expect((await readdir(folder)).sort()).toEqual(['auth.json']);

      // The original refresh token was the one used (it is spent now)…
      await expect(
        refreshTokens({ issuer: issuer.issuerUrl, refreshToken: expired.refreshToken }),
      ).rejects.toMatchObject({
        code: 'refresh-token-rejected',
        issuerError: { error: 'refresh_token_reused' },
      });
      // …and the stored one is the live rotated token: refreshing with it works.
      const manager = createTokenManager({ store, issuer: issuer.issuerUrl });
      const forced = await manager.forceRefresh();
      expect(forced.accessToken).not.toBe(results[0]?.accessToken);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('a refresh SIGKILLed after the issuer rotated the token (answer not yet delivered) is reported as refresh-interrupted', async () => {
    const store = createFileCredentialStore({ home: folder, lockStaleMs: 2000 });
    const expired = await storeExpiredLogin(store);
    // The issuer rotates the refresh token at once but holds its answer back.
    issuer.setOptions({ tokenEndpointDelayMs: 120_000 });
    const child = spawnFixture('refresh-child.mjs', [store.location, issuer.issuerUrl]);
    try {
      await waitForLine(child, (line) => line === 'ready');
      const killed = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      child.stdin.write('go\n');
      await waitUntil(() => refreshRequests().length === 1, 'the refresh request to reach the issuer');
      // The journal was written (fsync'd) before the request: a fingerprint and a time, never the token.
      const journalText = await readFile(join(folder, 'auth.json.refresh-journal'), 'utf8');
      expect(JSON.parse(journalText)).toMatchObject({
        refreshTokenFingerprint: fingerprintRefreshToken(expired.refreshToken),
        startedAt: expect.any(Number),
      });
      expect(journalText).not.toContain(expired.refreshToken);
      child.kill('SIGKILL');
      expect(await killed).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    issuer.setOptions({ tokenEndpointDelayMs: 0 });

    // The saved login still holds the refresh token the issuer has already spent.
    expect((await store.read())?.tokens.refreshToken).toBe(expired.refreshToken);
    const manager = createTokenManager({ store, issuer: issuer.issuerUrl });
    const error = await manager.getAccessToken().catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'refresh-interrupted',
      issuerError: { error: 'refresh_token_reused' },
    });
    const message = (error as Error).message;
    expect(message).toMatch(
      /^A token refresh was interrupted at \d{4}-.*Z before the new login could be saved;/,
    );
    expect(message).toContain('Run `codetether auth login` again.');
    expect(message).not.toContain(expired.refreshToken);
    expect(refreshRequests()).toHaveLength(2);
  }, 60_000);
});
