import { describe, expect, it } from 'vitest';
import { createTokenIssuer } from './__fixtures__/callback-client.js';
import { loginWithBrowser } from './browser-login.js';

describe('loginWithBrowser cancelled while it starts', () => {
  it('ends as aborted when the signal fires before the callback server is up (not after the login timeout)', async () => {
    const issuer = createTokenIssuer();
    const controller = new AbortController();
    const announced: string[] = [];
    const login = loginWithBrowser({
      issuer: 'http://127.0.0.1:9',
      port: 0,
      openBrowser: false,
      onAuthorizeUrl: (url) => announced.push(url),
      timeoutMs: 10 * 60 * 1000,
      signal: controller.signal,
      fetch: issuer.fetch,
    });
    // loginWithBrowser is now awaiting its PKCE pair / server start: Ctrl-C arrives in that window.
    controller.abort();
    await expect(login).rejects.toMatchObject({ name: 'OAuthError', code: 'aborted' });
    expect(issuer.requests).toHaveLength(0);
  });
});
