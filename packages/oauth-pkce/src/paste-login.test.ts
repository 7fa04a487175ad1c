import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { createMockFetch, jsonResponse } from './__fixtures__/mock-fetch.js';
import { OAuthError } from './errors.js';
import { parsePastedRedirect, startPasteLogin } from './paste-login.js';

function issuer() {
  return createMockFetch(() =>
    jsonResponse(200, { access_token: makeChatGptJwt(), refresh_token: 'rt-paste', expires_in: 60 }),
  );
}

describe('parsePastedRedirect', () => {
  it('accepts the full redirect URL, a query and a bare code', () => {
    expect(parsePastedRedirect('  http://localhost:1455/auth/callback?code=abc_DEF-123&state=s1 \n')).toEqual(
      {
        code: 'abc_DEF-123',
        state: 's1',
      },
    );
    expect(parsePastedRedirect('code=abc12345&state=s2')).toEqual({ code: 'abc12345', state: 's2' });
    expect(parsePastedRedirect('?code=abc12345')).toEqual({ code: 'abc12345' });
    expect(parsePastedRedirect('ac_abcdefgh.ijkl-mnop')).toEqual({ code: 'ac_abcdefgh.ijkl-mnop' });
  });

  it('rejects garbage with invalid-paste and error= with access-denied', () => {
    for (const text of [
      '',
      '   ',
      'hello world',
      'short',
      'http://localhost:1455/auth/callback?state=x',
      'http://[bad',
    ]) {
      expect(() => parsePastedRedirect(text)).toThrowError(
        expect.objectContaining({ code: 'invalid-paste' }),
      );
    }
    expect(() =>
      parsePastedRedirect('http://localhost:1455/auth/callback?error=access_denied&error_description=No'),
    ).toThrowError(
      expect.objectContaining({
        code: 'access-denied',
        issuerError: { error: 'access_denied', errorDescription: 'No' },
      }),
    );
  });

  it('only ever throws OAuthError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parsePastedRedirect(text);
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError);
        }
      }),
    );
  });
});

describe('startPasteLogin', () => {
  it('uses the 1455 loopback redirect URI and exchanges the pasted URL', async () => {
    const mock = issuer();
    const login = await startPasteLogin({ issuer: 'http://127.0.0.1:9', fetch: mock.fetch });
    const url = new URL(login.authorizeUrl);
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:1455/auth/callback');
    const state = url.searchParams.get('state');
    const tokens = await login.complete(`http://localhost:1455/auth/callback?code=the-code-1&state=${state}`);
    expect(tokens.refreshToken).toBe('rt-paste');
    expect(mock.requests[0]?.fields).toMatchObject({
      code: 'the-code-1',
      redirect_uri: 'http://localhost:1455/auth/callback',
    });
    await expect(login.complete('the-code-1')).rejects.toMatchObject({ code: 'invalid-paste' });
  });

  it('accepts a bare code and rejects a foreign state without a token request', async () => {
    const mock = issuer();
    const login = await startPasteLogin({ issuer: 'http://127.0.0.1:9', port: 1460, fetch: mock.fetch });
    await expect(
      login.complete('http://localhost:1460/auth/callback?code=abc12345&state=other'),
    ).rejects.toMatchObject({
      code: 'state-mismatch',
    });
    expect(mock.requests).toHaveLength(0);
    await login.complete('bare-code-123');
    expect(mock.requests[0]?.fields).toMatchObject({
      code: 'bare-code-123',
      redirect_uri: 'http://localhost:1460/auth/callback',
    });
  });
});
