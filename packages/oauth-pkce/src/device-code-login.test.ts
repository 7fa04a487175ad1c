import { describe, expect, it } from 'vitest';
import { fakeTime } from './__fixtures__/fake-time.js';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { createMockFetch, jsonResponse, type MockRequest } from './__fixtures__/mock-fetch.js';
import { type DeviceCodeInfo, loginWithDeviceCode } from './device-code-login.js';

const ISSUER = 'http://127.0.0.1:9';

function scriptedIssuer(polls: Array<(request: MockRequest) => Response>, start?: Response) {
  let pollIndex = 0;
  return createMockFetch((request) => {
    if (request.url.endsWith('/api/accounts/deviceauth/usercode')) {
      return start ?? jsonResponse(200, { device_auth_id: 'dev-1', user_code: 'ABCD-1234', interval: '2' });
    }
    if (request.url.endsWith('/api/accounts/deviceauth/token')) {
      const handler = polls[Math.min(pollIndex++, polls.length - 1)];
      if (handler === undefined) throw new Error('no poll handler');
      return handler(request);
    }
    if (request.url.endsWith('/oauth/token')) {
      return jsonResponse(200, {
        access_token: makeChatGptJwt(),
        refresh_token: 'rt-device',
        expires_in: 3600,
      });
    }
    return new Response('not found', { status: 404 });
  });
}

const pending = () => jsonResponse(403, { error: { code: 'deviceauth_authorization_unknown' } });
const approved = () =>
  jsonResponse(200, {
    authorization_code: 'auth-code',
    code_challenge: 'chal',
    code_verifier: 'verifier-from-server',
  });

describe('loginWithDeviceCode', () => {
  it('shows the code, polls at the interval (string accepted) and exchanges with the device redirect URI', async () => {
    const time = fakeTime();
    const issuer = scriptedIssuer([pending, () => new Response('', { status: 404 }), approved]);
    const shown: DeviceCodeInfo[] = [];
    const tokens = await loginWithDeviceCode({
      issuer: ISSUER,
      onUserCode: (info) => shown.push(info),
      fetch: issuer.fetch,
      sleep: time.sleep,
      now: time.now,
    });
    expect(tokens.refreshToken).toBe('rt-device');
    expect(shown).toEqual([
      { verificationUrl: `${ISSUER}/codex/device`, userCode: 'ABCD-1234', expiresAt: 1_000_000 + 900_000 },
    ]);
    expect(time.sleeps).toEqual([2000, 2000, 2000]);
    expect(issuer.requests[0]?.fields).toEqual({ client_id: 'app_EMoamEEZ73f0CkXaXp7hrann' });
    expect(issuer.requests[0]?.headers['content-type']).toBe('application/json');
    expect(issuer.requests[1]?.fields).toEqual({ device_auth_id: 'dev-1', user_code: 'ABCD-1234' });
    const exchange = issuer.requests.at(-1);
    expect(exchange?.url).toBe(`${ISSUER}/oauth/token`);
    expect(exchange?.fields).toMatchObject({
      grant_type: 'authorization_code',
      code: 'auth-code',
      code_verifier: 'verifier-from-server',
      redirect_uri: `${ISSUER}/deviceauth/callback`,
    });
  });

  it('adds 5 s to the interval on slow_down and accepts usercode/expires_in', async () => {
    const time = fakeTime();
    const issuer = scriptedIssuer(
      [
        () => jsonResponse(400, { error: 'slow_down' }),
        () => jsonResponse(400, { error: 'authorization_pending' }),
        approved,
      ],
      jsonResponse(200, { device_auth_id: 'dev-2', usercode: 'XYZ', interval: 1, expires_in: 600 }),
    );
    const shown: DeviceCodeInfo[] = [];
    await loginWithDeviceCode({
      issuer: ISSUER,
      onUserCode: (info) => shown.push(info),
      fetch: issuer.fetch,
      sleep: time.sleep,
      now: time.now,
    });
    expect(shown[0]).toMatchObject({ userCode: 'XYZ', expiresAt: 1_000_000 + 600_000 });
    expect(time.sleeps).toEqual([1000, 6000, 6000]);
  });

  it('reports 404 on the first request as device-code-not-enabled', async () => {
    const issuer = scriptedIssuer([approved], new Response('', { status: 404 }));
    await expect(
      loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch: issuer.fetch, ...fakeTime() }),
    ).rejects.toMatchObject({ code: 'device-code-not-enabled', status: 404 });
  });

  it('expires after 15 minutes without approval', async () => {
    const time = fakeTime();
    const issuer = scriptedIssuer(
      [pending],
      jsonResponse(200, { device_auth_id: 'd', user_code: 'U', interval: 60 }),
    );
    const error = await loginWithDeviceCode({
      issuer: ISSUER,
      onUserCode: () => {},
      fetch: issuer.fetch,
      ...time,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'device-code-expired' });
    expect((error as Error).message).toContain('expired after 15 minutes');
    expect(time.now() - 1_000_000).toBe(900_000);
    expect(issuer.requests.filter((request) => request.url.endsWith('/deviceauth/token')).length).toBe(14);
  });

  it('says the real lifetime of a code that lives under a minute (seconds, not "0 minutes")', async () => {
    const issuer = scriptedIssuer(
      [pending],
      jsonResponse(200, { device_auth_id: 'd', user_code: 'U', interval: 5, expires_in: 45 }),
    );
    const error = await loginWithDeviceCode({
      issuer: ISSUER,
      onUserCode: () => {},
      fetch: issuer.fetch,
      ...fakeTime(),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'device-code-expired' });
    expect((error as Error).message).toContain(
      'The device code expired after 45 seconds without being approved.',
    );
    expect((error as Error).message).toContain('codetether auth login --device-code');
  });

  it('is cancelled by its AbortSignal', async () => {
    const controller = new AbortController();
    const time = fakeTime();
    const issuer = scriptedIssuer([
      () => {
        controller.abort();
        return pending();
      },
    ]);
    await expect(
      loginWithDeviceCode({
        issuer: ISSUER,
        onUserCode: () => {},
        fetch: issuer.fetch,
        signal: controller.signal,
        ...time,
      }),
    ).rejects.toMatchObject({ code: 'aborted' });
  });

  it('cancels a real sleep promptly', async () => {
    const controller = new AbortController();
    const issuer = scriptedIssuer(
      [pending],
      jsonResponse(200, { device_auth_id: 'd', user_code: 'U', interval: 30 }),
    );
    const login = loginWithDeviceCode({
      issuer: ISSUER,
      onUserCode: () => setTimeout(() => controller.abort(), 10),
      fetch: issuer.fetch,
      signal: controller.signal,
    });
    await expect(login).rejects.toMatchObject({ code: 'aborted' });
  });

  it('maps access_denied, expired_token, bad start responses and unexpected poll errors', async () => {
    const deny = scriptedIssuer([
      () => jsonResponse(400, { error: 'access_denied', error_description: 'nope' }),
    ]);
    await expect(
      loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch: deny.fetch, ...fakeTime() }),
    ).rejects.toMatchObject({
      code: 'access-denied',
    });
    const expired = scriptedIssuer([() => jsonResponse(400, { error: 'expired_token' })]);
    await expect(
      loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch: expired.fetch, ...fakeTime() }),
    ).rejects.toMatchObject({ code: 'device-code-expired' });
    const badStart = scriptedIssuer([approved], jsonResponse(200, { nothing: true }));
    await expect(
      loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch: badStart.fetch, ...fakeTime() }),
    ).rejects.toMatchObject({ code: 'device-code-error' });
    const serverError = scriptedIssuer([approved], jsonResponse(500, {}));
    await expect(
      loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch: serverError.fetch, ...fakeTime() }),
    ).rejects.toMatchObject({ code: 'device-code-error', isRetryable: true });
    const teapot = scriptedIssuer([() => jsonResponse(418, { error: 'teapot' })]);
    await expect(
      loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch: teapot.fetch, ...fakeTime() }),
    ).rejects.toMatchObject({ code: 'device-code-error', status: 418 });
  });

  it('keeps polling through transient 5xx answers', async () => {
    const time = fakeTime();
    const issuer = scriptedIssuer([() => jsonResponse(502, {}), approved]);
    await loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch: issuer.fetch, ...time });
    expect(time.sleeps).toEqual([2000, 7000]);
  });

  it('keeps polling through a dropped connection', async () => {
    const time = fakeTime();
    let dropped = false;
    const issuer = scriptedIssuer([approved]);
    const fetch: typeof globalThis.fetch = async (input, init) => {
      if (String(input).endsWith('/deviceauth/token') && !dropped) {
        dropped = true;
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
        });
      }
      return issuer.fetch(input, init);
    };
    const tokens = await loginWithDeviceCode({ issuer: ISSUER, onUserCode: () => {}, fetch, ...time });
    expect(tokens.refreshToken).toBe('rt-device');
    expect(time.sleeps).toEqual([2000, 2000]);
  });
});
