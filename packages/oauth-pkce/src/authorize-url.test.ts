import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl } from './authorize-url.js';
import { CODEX_CLIENT_ID } from './constants.js';

describe('buildAuthorizeUrl', () => {
  it('sends every query parameter of the official client', () => {
    const text = buildAuthorizeUrl({
      redirectUri: 'http://localhost:1455/auth/callback',
      challenge: 'challenge-value',
      state: 'state-value',
    });
    const url = new URL(text);
    expect(`${url.origin}${url.pathname}`).toBe('https://auth.openai.com/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: CODEX_CLIENT_ID,
      redirect_uri: 'http://localhost:1455/auth/callback',
      scope: 'openid profile email offline_access',
      code_challenge: 'challenge-value',
      code_challenge_method: 'S256',
      state: 'state-value',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      originator: 'codex_cli_rs',
    });
    expect(text).toContain('scope=openid%20profile%20email%20offline_access');
    expect(text).toContain('redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback');
  });

  it('uses a custom issuer without doubling slashes and a custom client id', () => {
    const url = new URL(
      buildAuthorizeUrl({
        issuer: 'http://127.0.0.1:9999/',
        clientId: 'client-x',
        redirectUri: 'http://localhost:1/auth/callback',
        challenge: 'c',
        state: 's&t=1',
      }),
    );
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9999/oauth/authorize');
    expect(url.searchParams.get('client_id')).toBe('client-x');
    expect(url.searchParams.get('state')).toBe('s&t=1');
  });
});
