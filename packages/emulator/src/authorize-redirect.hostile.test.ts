import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODEX_CLIENT_ID } from './oauth/auth-state.js';
import { isAcceptedRedirectUri } from './oauth/redirect-uri.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

// The URL parser silently drops tabs and line breaks (and trims spaces), so a redirect_uri such as
// `http://localhost:1455/auth/callback\r\nX:1` was accepted and the code sent to
// `…/auth/callbackX:1`: a URI other than the one asked for. A URI with control characters or spaces is
// not a valid URI; the real issuer refuses it without redirecting.

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ scenario: 'echo' });
});

afterEach(async () => {
  await emulator.close();
});

function authorizeUrl(redirectUri: string): string {
  const query = new URLSearchParams({
    client_id: CODEX_CLIENT_ID,
    response_type: 'code',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'state-1',
    redirect_uri: redirectUri,
  });
  return `${emulator.issuerUrl}/oauth/authorize?${query}`;
}

describe('redirect_uri with characters a URI cannot hold', () => {
  it.each([
    ['a line break', 'http://localhost:1455/auth/callback\r\nX-Injected: 1'],
    ['a tab', 'http://localhost:1455/auth/\tcallback'],
    ['a leading space', ' http://localhost:1455/auth/callback'],
    ['a NUL', 'http://localhost:1455/auth/callback\u0000'],
  ])('is refused with a 400 page, never a redirect (%s)', async (_name, redirectUri) => {
    const response = await fetch(authorizeUrl(redirectUri), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_request');
  });

  it('still redirects to a normal loopback callback', async () => {
    const response = await fetch(authorizeUrl('http://localhost:1455/auth/callback'), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^http:\/\/localhost:1455\/auth\/callback\?code=/);
  });

  it('is refused by isAcceptedRedirectUri, the device callback too', () => {
    expect(isAcceptedRedirectUri('http://127.0.0.1:1/cb\n', 'http://127.0.0.1:9')).toBe(false);
    expect(isAcceptedRedirectUri('http://127.0.0.1:9/deviceauth/callback', 'http://127.0.0.1:9')).toBe(true);
  });
});
