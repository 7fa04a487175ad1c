import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loginWithBrowser } from './browser-login.js';
import { CODEX_CLIENT_ID } from './constants.js';
import { createStoredCredentials } from './credentials.js';
import { type DeviceCodeInfo, loginWithDeviceCode } from './device-code-login.js';
import { OAuthError } from './errors.js';
import { createFileCredentialStore } from './file-credential-store.js';
import { abortedError } from './http-request.js';
import { readAccountClaims } from './jwt-claims.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';
import { startPasteLogin } from './paste-login.js';
import { exchangeCodeForTokens, exchangeIdTokenForApiKey, refreshTokens } from './token-endpoint.js';
import { createTokenManager } from './token-manager.js';

let emulator: Emulator;
let folder: string;

beforeAll(async () => {
  emulator = await startEmulator();
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-emulator-'));
});

afterAll(async () => {
  await emulator.close();
  await rm(folder, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.clearRequests();
  emulator.setOptions({
    denyAuthorization: false,
    deviceCodeEnabled: true,
    deviceCodeIntervalSeconds: 0,
    deviceCodePollsBeforeApproval: 1,
    deviceCodeSlowDownPolls: 0,
    deviceCodeExpiresInSeconds: 900,
    now: Date.now,
  });
});

/** Follows the issuer's authorize redirect the way a browser would and returns the final callback URL. */
async function approveInBrowser(authorizeUrl: string): Promise<string> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return response.headers.get('location') ?? '';
}

/**
 * A browser stand-in: follows the authorize redirect and loads the loopback callback page. `pages`
 * resolves with what the browser showed (the login may settle before the page is fully read).
 */
function fakeBrowser() {
  let showPage: (page: { status: number; text: string }) => void = () => {};
  const page = new Promise<{ status: number; text: string }>((resolve) => {
    showPage = resolve;
  });
  const open = async (authorizeUrl: string) => {
    const callback = await approveInBrowser(authorizeUrl);
    // The loopback server binds 127.0.0.1; the redirect URI names localhost, as the real issuer requires.
    const response = await fetch(callback.replace('//localhost:', '//127.0.0.1:'));
    showPage({ status: response.status, text: await response.text() });
  };
  return { open, page };
}

const tokenRequests = (grantType: string) =>
  emulator.requests.filter(
    (request) =>
      request.path === '/oauth/token' && (request.body as Record<string, unknown>).grant_type === grantType,
  );

describe('browser login against the emulator issuer', () => {
  it('sends every official authorize parameter, exchanges the code with PKCE and reads the claims', async () => {
    const browser = fakeBrowser();
    const tokens = await loginWithBrowser({
      issuer: emulator.issuerUrl,
      port: 0,
      openBrowser: browser.open,
      onAuthorizeUrl: () => {},
    });
    expect(await browser.page).toEqual({
      status: 200,
      text: expect.stringContaining('Signed in to CodeTether'),
    });
    const authorize = emulator.requests.find((request) => request.path === '/oauth/authorize');
    expect(Object.keys(authorize?.query ?? {}).sort()).toEqual(
      [
        'client_id',
        'code_challenge',
        'code_challenge_method',
        'codex_cli_simplified_flow',
        'id_token_add_organizations',
        'originator',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
      ].sort(),
    );
    expect(authorize?.query).toMatchObject({
      response_type: 'code',
      client_id: CODEX_CLIENT_ID,
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      originator: 'codex_cli_rs',
    });
    expect(tokenRequests('authorization_code')).toHaveLength(1);
    const claims = readAccountClaims(tokens);
    expect(claims.accountId).toBe(emulator.issueTokens().accountId);
    expect(claims.planType).toBe('plus');
    expect(claims.email).toBe('user@example.com');
    // The token's `exp` (whole seconds, the issuer's clock) and `expiresAt` (the client's receive time
    // plus `expires_in`) may fall on either side of a second boundary.
    expect(
      Math.abs((claims.expiresAt ?? 0) - (tokens.expiresAt - (tokens.expiresAt % 1000))),
    ).toBeLessThanOrEqual(1000);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(inspect(tokens)).not.toContain(tokens.refreshToken);
  });

  it('reports the issuer denying the login as access-denied without a token request', async () => {
    emulator.setOptions({ denyAuthorization: true });
    const browser = fakeBrowser();
    const error = await loginWithBrowser({
      issuer: emulator.issuerUrl,
      port: 0,
      openBrowser: browser.open,
      onAuthorizeUrl: () => {},
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'access-denied', issuerError: { error: 'access_denied' } });
    expect((await browser.page).status).toBe(400);
    expect(tokenRequests('authorization_code')).toHaveLength(0);
  });

  it('ignores a callback from another login (state mismatch) and completes with the real one', async () => {
    const stray = fakeBrowser();
    const genuine = fakeBrowser();
    const tokens = await loginWithBrowser({
      issuer: emulator.issuerUrl,
      port: 0,
      openBrowser: async (authorizeUrl) => {
        const forged = new URL(authorizeUrl);
        forged.searchParams.set('state', 'attacker-state');
        await stray.open(forged.toString());
        await genuine.open(authorizeUrl);
      },
      onAuthorizeUrl: () => {},
    });
    expect((await stray.page).status).toBe(400);
    expect((await genuine.page).status).toBe(200);
    expect(tokens.refreshToken).toBeTruthy();
    // Only the genuine callback's code was exchanged.
    expect(tokenRequests('authorization_code')).toHaveLength(1);
  });
});

describe('paste login against the emulator issuer', () => {
  it('accepts the pasted redirect URL, and a bare code', async () => {
    const login = await startPasteLogin({ issuer: emulator.issuerUrl });
    expect(new URL(login.authorizeUrl).searchParams.get('redirect_uri')).toBe(
      'http://localhost:1455/auth/callback',
    );
    const pasted = await approveInBrowser(login.authorizeUrl);
    expect(pasted.startsWith('http://localhost:1455/auth/callback?')).toBe(true);
    const tokens = await login.complete(pasted);
    expect(readAccountClaims(tokens).accountId).toBeDefined();

    const second = await startPasteLogin({ issuer: emulator.issuerUrl });
    const code = new URL(await approveInBrowser(second.authorizeUrl)).searchParams.get('code') ?? '';
    await expect(second.complete(code)).resolves.toMatchObject({ refreshToken: expect.any(String) });
  });

  it('rejects a pasted URL whose state belongs to another login, with no token request', async () => {
    const first = await startPasteLogin({ issuer: emulator.issuerUrl });
    const second = await startPasteLogin({ issuer: emulator.issuerUrl });
    const pastedForFirst = await approveInBrowser(first.authorizeUrl);
    await expect(second.complete(pastedForFirst)).rejects.toMatchObject({ code: 'state-mismatch' });
    expect(tokenRequests('authorization_code')).toHaveLength(0);
  });

  it('a code used twice is a typed token endpoint error', async () => {
    const login = await startPasteLogin({ issuer: emulator.issuerUrl });
    const code = new URL(await approveInBrowser(login.authorizeUrl)).searchParams.get('code') ?? '';
    await login.complete(code);
    const verifierless = await exchangeCodeForTokens({
      issuer: emulator.issuerUrl,
      code,
      codeVerifier: 'x'.repeat(43),
      redirectUri: 'http://localhost:1455/auth/callback',
    }).catch((caught: unknown) => caught);
    expect(verifierless).toMatchObject({
      code: 'token-endpoint-error',
      status: 400,
      issuerError: { error: 'invalid_grant' },
    });
  });
});

describe('device-code login against the emulator issuer', () => {
  /** A clock shared with the emulator; sleeping advances it instantly. */
  function sharedClock() {
    let current = Date.now();
    const sleeps: number[] = [];
    const now = () => current;
    emulator.setOptions({ now });
    return {
      now,
      sleeps,
      sleep: async (ms: number, signal?: AbortSignal) => {
        if (signal?.aborted) throw abortedError('the wait', signal.reason);
        sleeps.push(ms);
        current += ms;
      },
    };
  }

  it('shows the code, polls (string interval, slow_down) and exchanges with the device redirect URI', async () => {
    emulator.setOptions({
      deviceCodeIntervalSeconds: 2,
      deviceCodeSlowDownPolls: 1,
      deviceCodePollsBeforeApproval: 2,
    });
    const clock = sharedClock();
    const shown: DeviceCodeInfo[] = [];
    const tokens = await loginWithDeviceCode({
      issuer: emulator.issuerUrl,
      onUserCode: (info) => shown.push(info),
      ...clock,
    });
    expect(shown).toHaveLength(1);
    expect(shown[0]?.verificationUrl).toBe(`${emulator.issuerUrl}/codex/device`);
    expect(shown[0]?.userCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    // interval "2" (a string), then slow_down adds 5 s for the rest of the polls.
    expect(clock.sleeps).toEqual([2000, 7000, 7000, 7000]);
    expect(tokenRequests('authorization_code')).toHaveLength(1);
    expect(tokenRequests('authorization_code')[0]?.body).toMatchObject({
      redirect_uri: `${emulator.issuerUrl}/deviceauth/callback`,
    });
    expect(readAccountClaims(tokens).accountId).toBeDefined();
  });

  it('expires when the code is never approved', async () => {
    emulator.setOptions({
      deviceCodeIntervalSeconds: 60,
      deviceCodeExpiresInSeconds: 300,
      deviceCodePollsBeforeApproval: 1_000,
    });
    const clock = sharedClock();
    const error = await loginWithDeviceCode({
      issuer: emulator.issuerUrl,
      onUserCode: () => {},
      ...clock,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'device-code-expired' });
    expect((error as Error).message).toContain('expired after 5 minutes');
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(300_000);
  });

  it('reports 404 as device-code-not-enabled and a denial as access-denied', async () => {
    emulator.setOptions({ deviceCodeEnabled: false });
    await expect(
      loginWithDeviceCode({ issuer: emulator.issuerUrl, onUserCode: () => {}, ...sharedClock() }),
    ).rejects.toMatchObject({ code: 'device-code-not-enabled', status: 404 });
    emulator.setOptions({ deviceCodeEnabled: true, denyAuthorization: true });
    await expect(
      loginWithDeviceCode({ issuer: emulator.issuerUrl, onUserCode: () => {}, ...sharedClock() }),
    ).rejects.toMatchObject({ code: 'access-denied' });
  });

  it('is cancelled by its AbortSignal while waiting for approval', async () => {
    emulator.setOptions({ deviceCodeIntervalSeconds: 30, deviceCodePollsBeforeApproval: 1_000 });
    const controller = new AbortController();
    const login = loginWithDeviceCode({
      issuer: emulator.issuerUrl,
      onUserCode: () => controller.abort(),
      signal: controller.signal,
    });
    await expect(login).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('token endpoint against the emulator issuer', () => {
  it('refresh rotates the refresh token; reusing the old one is refresh-token-rejected ("log in again")', async () => {
    const issued = emulator.issueTokens();
    const rotated = await refreshTokens({ issuer: emulator.issuerUrl, refreshToken: issued.refreshToken });
    expect(rotated.refreshToken).not.toBe(issued.refreshToken);
    expect(rotated.accessToken).not.toBe(issued.accessToken);
    const error = await refreshTokens({
      issuer: emulator.issuerUrl,
      refreshToken: issued.refreshToken,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: 'refresh-token-rejected',
      status: 401,
      isRetryable: false,
      issuerError: { error: 'refresh_token_reused' },
    });
    expect((error as Error).message).toContain('Log in again with `codetether auth login`');
    expect((error as Error).message).not.toContain(issued.refreshToken);
    expect(inspect(error, { depth: 10 })).not.toContain(issued.refreshToken);
  });

  it('exchanges the id token for an API key', async () => {
    const issued = emulator.issueTokens();
    const apiKey = await exchangeIdTokenForApiKey({ issuer: emulator.issuerUrl, idToken: issued.idToken });
    expect(apiKey).toMatch(/^sk-/);
    const wrong = await exchangeIdTokenForApiKey({
      issuer: emulator.issuerUrl,
      idToken: issued.accessToken,
    }).catch((caught: unknown) => caught);
    expect(wrong).toMatchObject({ code: 'token-endpoint-error', issuerError: { error: 'invalid_grant' } });
  });
});

describe('TokenManager against the emulator issuer', () => {
  function seed(store: ReturnType<typeof createFileCredentialStore>, expiresInSeconds: number) {
    const issued = emulator.issueTokens({ expiresInSeconds });
    const stored = createStoredCredentials({
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      idToken: issued.idToken,
      expiresAt: issued.expiresAt,
    });
    // As if obtained with a normal one-hour lifetime that is now running out.
    stored.lastRefreshAt = issued.expiresAt - 3_600_000;
    return store.write(stored).then(() => issued);
  }

  it('100 concurrent callers make exactly one refresh request and persist the rotated refresh token', async () => {
    const store = createFileCredentialStore({ path: join(folder, 'concurrent', 'auth.json') });
    const issued = await seed(store, 60); // inside the 5-minute window
    const manager = createTokenManager({ store, issuer: emulator.issuerUrl });
    const results = await Promise.all(Array.from({ length: 100 }, () => manager.getAccessToken()));
    expect(tokenRequests('refresh_token')).toHaveLength(1);
    expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
    expect(results[0]?.accessToken).not.toBe(issued.accessToken);
    expect(results[0]?.accountId).toBe(issued.accountId);
    const stored = await store.read();
    expect(stored?.tokens.accessToken).toBe(results[0]?.accessToken);
    expect(stored?.tokens.refreshToken).not.toBe(issued.refreshToken);
    // The persisted refresh token is the live one.
    await expect(
      refreshTokens({ issuer: emulator.issuerUrl, refreshToken: stored?.tokens.refreshToken ?? '' }),
    ).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('refreshes short-lived tokens at half their lifetime, not on every call', async () => {
    emulator.setOptions({ accessTokenTtlSeconds: 60 });
    try {
      const store = createFileCredentialStore({ path: join(folder, 'short', 'auth.json') });
      await seed(store, -1);
      const manager = createTokenManager({ store, issuer: emulator.issuerUrl });
      const first = await manager.getAccessToken();
      expect(tokenRequests('refresh_token')).toHaveLength(1);
      expect((await manager.getAccessToken()).accessToken).toBe(first.accessToken);
      expect(tokenRequests('refresh_token')).toHaveLength(1);
    } finally {
      emulator.setOptions({ accessTokenTtlSeconds: 3600 });
    }
  });

  it('does not refresh a token valid for more than 5 minutes', async () => {
    const store = createFileCredentialStore({ path: join(folder, 'fresh', 'auth.json') });
    const issued = await seed(store, 600);
    const manager = createTokenManager({ store, issuer: emulator.issuerUrl });
    expect((await manager.getAccessToken()).accessToken).toBe(issued.accessToken);
    expect(tokenRequests('refresh_token')).toHaveLength(0);
  });

  it('a refresh token already used elsewhere gives "log in again" and leaves the file untouched', async () => {
    const store = createFileCredentialStore({ path: join(folder, 'reused', 'auth.json') });
    const issued = await seed(store, -10);
    await refreshTokens({ issuer: emulator.issuerUrl, refreshToken: issued.refreshToken }); // someone else
    const before = await store.read();
    const manager = createTokenManager({ store, issuer: emulator.issuerUrl });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'refresh-token-rejected' });
    expect(await store.read()).toEqual(before);
  });

  it('logout revokes the refresh token at the issuer and deletes the login', async () => {
    const store = createMemoryCredentialStore();
    const issued = emulator.issueTokens();
    await store.write(
      createStoredCredentials({
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        idToken: issued.idToken,
        expiresAt: issued.expiresAt,
      }),
    );
    await createTokenManager({ store, issuer: emulator.issuerUrl }).logout();
    expect(emulator.requests.filter((request) => request.path === '/oauth/revoke')).toHaveLength(1);
    expect(await store.read()).toBeUndefined();
    await expect(
      refreshTokens({ issuer: emulator.issuerUrl, refreshToken: issued.refreshToken }),
    ).rejects.toMatchObject({ code: 'refresh-token-rejected' });
  });
});
