import { describe, expect, it } from 'vitest';
import { fakeTime } from './__fixtures__/fake-time.js';
import { createMockFetch, jsonResponse } from './__fixtures__/mock-fetch.js';
import { type DeviceCodeInfo, loginWithDeviceCode } from './device-code-login.js';

const ISSUER = 'http://127.0.0.1:9';
/** The longest delay a Node.js timer honours; a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
const LONGEST_TIMER_DELAY_MS = 2 ** 31 - 1;
/** Polls after which the fake issuer gives up, so a login that would poll forever fails instead of hanging. */
const POLL_LIMIT = 200;

/** A broken issuer: starts with `start` and never approves (nor ends) the code. */
function neverApprovingIssuer(start: Record<string, unknown>) {
  let polls = 0;
  return createMockFetch((request) => {
    if (request.url.endsWith('/api/accounts/deviceauth/usercode')) return jsonResponse(200, start);
    polls++;
    if (polls > POLL_LIMIT) return jsonResponse(400, { error: 'test_poll_limit_reached' });
    return jsonResponse(403, { error: { code: 'deviceauth_authorization_unknown' } });
  });
}

describe('loginWithDeviceCode against an issuer sending unusable numbers', () => {
  it('uses the 15-minute default when expires_in is so large the expiry is Infinity (else it never ends)', async () => {
    const time = fakeTime();
    const shown: DeviceCodeInfo[] = [];
    const issuer = neverApprovingIssuer({
      device_auth_id: 'd',
      user_code: 'U',
      interval: 60,
      expires_in: 1e306,
    });
    const error = await loginWithDeviceCode({
      issuer: ISSUER,
      onUserCode: (info) => shown.push(info),
      fetch: issuer.fetch,
      ...time,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'device-code-expired' });
    expect((error as Error).message).toContain('expired after 15 minutes');
    expect(shown[0]?.expiresAt).toBe(1_000_000 + 900_000);
  });

  it('never asks for a wait longer than a timer can hold (a longer one would poll every millisecond)', async () => {
    const time = fakeTime();
    const issuer = neverApprovingIssuer({
      device_auth_id: 'd',
      user_code: 'U',
      interval: '100000000',
      expires_in: '100000000',
    });
    const error = await loginWithDeviceCode({
      issuer: ISSUER,
      onUserCode: () => {},
      fetch: issuer.fetch,
      ...time,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'device-code-expired' });
    expect(time.sleeps.length).toBeGreaterThan(0);
    expect(Math.max(...time.sleeps)).toBeLessThanOrEqual(LONGEST_TIMER_DELAY_MS);
  });
});
