import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../server.js';
import type { Emulator } from '../types.js';
import { CODEX_CLIENT_ID } from './auth-state.js';

const REDIRECT_URI = 'http://localhost:1455/auth/callback';

let emulator: Emulator;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1);
  emulator = await startEmulator({ now: () => clock, deviceCodeIntervalSeconds: 0 });
});

afterEach(async () => {
  await emulator.close();
});

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

async function authorize(challenge: string, state = 'state-123'): Promise<URL> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CODEX_CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    id_token_add_organizations: 'true',
    codex_cli_simplified_flow: 'true',
    originator: 'codex_cli_rs',
  });
  const response = await fetch(`${emulator.issuerUrl}/oauth/authorize?${query}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

async function token(fields: Record<string, string>) {
  const response = await fetch(`${emulator.issuerUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CODEX_CLIENT_ID, ...fields }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Sends a refresh request the test abandons with `signal` (as a client that dies); its outcome is ignored. */
function sendRefreshUntilAborted(refreshToken: string, signal: AbortSignal): void {
  fetch(`${emulator.issuerUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: CODEX_CLIENT_ID,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }),
    signal,
  }).catch(() => {});
}

async function exchangeCode(code: string, verifier: string, redirectUri = REDIRECT_URI) {
  return token({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
  });
}

describe('authorization code flow', () => {
  it('redirects with a code and the same state, and exchanges it with the right verifier', async () => {
    const { verifier, challenge } = pkcePair();
    const location = await authorize(challenge, 'my-state');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('my-state');
    const code = location.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const { status, body } = await exchangeCode(code, verifier);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = decodeJwt(String(body.access_token));
    expect(claims.exp).toBe(Math.floor(clock / 1000) + 3600);
    expect(claims['https://api.openai.com/auth']).toMatchObject({
      chatgpt_account_id: '6f1c2b1e-0000-4000-8000-00000000c0de',
      chatgpt_plan_type: 'plus',
    });
    expect(decodeJwt(String(body.id_token))['https://api.openai.com/auth']).toMatchObject({
      chatgpt_account_id: '6f1c2b1e-0000-4000-8000-00000000c0de',
    });

    const reused = await exchangeCode(code, verifier);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
  });

  it('rejects a wrong PKCE verifier with invalid_grant', async () => {
    const { challenge } = pkcePair();
    const code = (await authorize(challenge)).searchParams.get('code') ?? '';
    const { status, body } = await exchangeCode(code, pkcePair().verifier);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
    expect(String(body.error_description)).toContain('code_verifier');
  });

  it('rejects a redirect_uri that differs from the authorize one', async () => {
    const { verifier, challenge } = pkcePair();
    const code = (await authorize(challenge)).searchParams.get('code') ?? '';
    const { status, body } = await exchangeCode(code, verifier, 'http://localhost:9999/auth/callback');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('denies with error=access_denied when configured (option alias denyAuthorize)', async () => {
    emulator.setOptions({ denyAuthorize: true });
    const location = await authorize(pkcePair().challenge, 'deny-state');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('deny-state');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('answers 400 without redirecting for an unknown client', async () => {
    const response = await fetch(
      `${emulator.issuerUrl}/oauth/authorize?client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('refresh tokens', () => {
  it('rotates: each refresh token works once, a reused one fails with refresh_token_reused', async () => {
    const first = emulator.issueTokens();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.refreshToken);
    expect(typeof refreshed.body.access_token).toBe('string');

    const reused = await token({ grant_type: 'refresh_token', refresh_token: first.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ error: { code: 'refresh_token_reused' } });
    expect(JSON.stringify(reused.body)).toContain('already been used');

    const again = await token({
      grant_type: 'refresh_token',
      refresh_token: String(refreshed.body.refresh_token),
    });
    expect(again.status).toBe(200);
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    const tokens = emulator.issueTokens();
    const results = await Promise.all(
      [1, 2, 3].map(() => token({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })),
    );
    expect(results.map((result) => result.status).sort()).toEqual([200, 401, 401]);
    for (const result of results.filter((entry) => entry.status === 401)) {
      expect(result.body).toMatchObject({
        error: { code: 'refresh_token_reused', type: 'invalid_request_error' },
      });
    }
    const winner = results.find((result) => result.status === 200);
    const claims = decodeJwt(String(winner?.body.access_token));
    expect(claims['https://api.openai.com/auth']).toMatchObject({ chatgpt_account_id: tokens.accountId });
    expect(claims.exp).toBe(Math.floor(clock / 1000) + 3600);
  });

  it('rejects an unknown refresh token with invalid_grant and a revoked one as invalidated', async () => {
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'rt_unknown' })).body.error).toBe(
      'invalid_grant',
    );
    const tokens = emulator.issueTokens();
    const revoke = await fetch(`${emulator.issuerUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refreshToken, token_type_hint: 'refresh_token' }),
    });
    expect(revoke.status).toBe(200);
    const after = await token({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: { code: 'refresh_token_invalidated' } });
  });

  it('with tokenEndpointDelayMs rotates at once but holds the answer back (a lost response)', async () => {
    emulator.setOptions({ tokenEndpointDelayMs: 60_000 });
    const tokens = emulator.issueTokens();
    const controller = new AbortController();
    sendRefreshUntilAborted(tokens.refreshToken, controller.signal);
    while (!emulator.requests.some((request) => request.path === '/oauth/token')) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The client gives up (dies) before the answer arrives; the token was rotated all the same.
    controller.abort();
    emulator.setOptions({ tokenEndpointDelayMs: 0 });
    const reused = await token({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ error: { code: 'refresh_token_reused' } });
  });

  it('with tokenEndpointHoldMs a request whose client disconnects takes no effect', async () => {
    emulator.setOptions({ tokenEndpointHoldMs: 60_000 });
    const tokens = emulator.issueTokens();
    const before = emulator.requests.filter((request) => request.path === '/oauth/token').length;
    const controller = new AbortController();
    sendRefreshUntilAborted(tokens.refreshToken, controller.signal);
    while (emulator.requests.filter((request) => request.path === '/oauth/token').length === before) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The client dies while the request is held: the refresh token was never spent.
    controller.abort();
    emulator.setOptions({ tokenEndpointHoldMs: 0 });
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
  });

  it('delivers a delayed answer once tokenEndpointDelayMs has passed', async () => {
    emulator.setOptions({ tokenEndpointDelayMs: 50 });
    const tokens = emulator.issueTokens();
    const started = performance.now();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe('token exchange', () => {
  it('exchanges an id_token for an API key accepted by /v1/responses', async () => {
    const tokens = emulator.issueTokens();
    const { status, body } = await token({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token: 'openai-api-key',
      subject_token: tokens.idToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    expect(status).toBe(200);
    const apiKey = String(body.access_token);
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4', input: 'hi', stream: true }),
    });
    expect(response.status).toBe(200);
    await response.text();
  });

  it('rejects an access token as subject_token', async () => {
    const { status, body } = await token({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token: 'openai-api-key',
      subject_token: emulator.issueTokens().accessToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });
});

describe('device code flow', () => {
  async function post(path: string, body: Record<string, unknown>) {
    const response = await fetch(`${emulator.issuerUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('answers pending, then approves with a code that the normal exchange accepts', async () => {
    emulator.setOptions({ deviceCodePendingPolls: 2 });
    const start = await post('/api/accounts/deviceauth/usercode', { client_id: CODEX_CLIENT_ID });
    expect(start.status).toBe(200);
    const { device_auth_id: deviceAuthId, user_code: userCode } = start.body;
    expect(String(userCode)).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(start.body.interval).toBe('0');

    const poll = () =>
      post('/api/accounts/deviceauth/token', { device_auth_id: deviceAuthId, user_code: userCode });
    expect((await poll()).status).toBe(403);
    expect((await poll()).status).toBe(403);
    const approved = await poll();
    expect(approved.status).toBe(200);
    const { authorization_code: code, code_verifier: verifier, code_challenge: challenge } = approved.body;
    expect(createHash('sha256').update(String(verifier)).digest('base64url')).toBe(challenge);

    const exchanged = await exchangeCode(
      String(code),
      String(verifier),
      `${emulator.issuerUrl}/deviceauth/callback`,
    );
    expect(exchanged.status).toBe(200);
    expect(typeof exchanged.body.refresh_token).toBe('string');
    expect((await fetch(`${emulator.issuerUrl}/codex/device`)).status).toBe(200);
  });

  it('answers slow_down first when configured and expired_token after expiry', async () => {
    emulator.setOptions({ deviceCodeSlowDownPolls: 1, deviceCodeExpiresInSeconds: 60 });
    const start = await post('/api/accounts/deviceauth/usercode', { client_id: CODEX_CLIENT_ID });
    const poll = () =>
      post('/api/accounts/deviceauth/token', {
        device_auth_id: start.body.device_auth_id,
        user_code: start.body.user_code,
      });
    const slow = await poll();
    expect(slow.status).toBe(400);
    expect(slow.body.error).toBe('slow_down');
    clock += 61_000;
    const expired = await poll();
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe('expired_token');
  });

  it('goes pending → approved (the same approval on every later poll) → expired, and the code expires too', async () => {
    emulator.setOptions({ deviceCodePendingPolls: 3, deviceCodeExpiresInSeconds: 900 });
    const start = await post('/api/accounts/deviceauth/usercode', { client_id: CODEX_CLIENT_ID });
    expect(start.body).toMatchObject({ expires_in: 900, device_auth_id: expect.any(String) });
    const poll = () =>
      post('/api/accounts/deviceauth/token', {
        device_auth_id: start.body.device_auth_id,
        user_code: start.body.user_code,
      });
    for (let pending = 0; pending < 3; pending += 1) {
      const answer = await poll();
      expect(answer.status).toBe(403);
      expect(answer.body.error).toBe('authorization_pending');
    }
    const approved = await poll();
    expect(approved.status).toBe(200);
    expect(await poll()).toEqual(approved);

    // The authorization code lasts 15 minutes; the device code itself expires after expires_in.
    clock += 15 * 60 * 1000 + 1;
    const expired = await poll();
    expect(expired).toMatchObject({ status: 400, body: { error: 'expired_token' } });
    const late = await exchangeCode(
      String(approved.body.authorization_code),
      String(approved.body.code_verifier),
      `${emulator.issuerUrl}/deviceauth/callback`,
    );
    expect(late).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('rejects a wrong user_code, a second use of the approved code and a denied authorization', async () => {
    emulator.setOptions({ deviceCodePendingPolls: 0 });
    const start = await post('/api/accounts/deviceauth/usercode', { client_id: CODEX_CLIENT_ID });
    const wrong = await post('/api/accounts/deviceauth/token', {
      device_auth_id: start.body.device_auth_id,
      user_code: 'AAAA-AAAA',
    });
    expect(wrong.status).toBe(400);
    const approved = await post('/api/accounts/deviceauth/token', {
      device_auth_id: start.body.device_auth_id,
      user_code: start.body.user_code,
    });
    const exchange = () =>
      exchangeCode(
        String(approved.body.authorization_code),
        String(approved.body.code_verifier),
        `${emulator.issuerUrl}/deviceauth/callback`,
      );
    expect((await exchange()).status).toBe(200);
    expect(await exchange()).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    emulator.setOptions({ denyAuthorize: true });
    const denied = await post('/api/accounts/deviceauth/usercode', { client_id: CODEX_CLIENT_ID });
    const answer = await post('/api/accounts/deviceauth/token', {
      device_auth_id: denied.body.device_auth_id,
      user_code: denied.body.user_code,
    });
    expect(answer).toMatchObject({ status: 403, body: { error: 'access_denied' } });
  });

  it('answers 404 when device login is disabled', async () => {
    emulator.setOptions({ deviceCodeEnabled: false });
    expect((await post('/api/accounts/deviceauth/usercode', { client_id: CODEX_CLIENT_ID })).status).toBe(
      404,
    );
  });
});
