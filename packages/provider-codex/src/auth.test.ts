import { OAuthError } from '@codetether/oauth-pkce';
import { describe, expect, it } from 'vitest';
import { mapAuthError } from './auth.js';

describe('mapAuthError', () => {
  it('keeps oauth-pkce messages that already say what to do, without repeating the advice', () => {
    const rejected = new OAuthError(
      'refresh-token-rejected',
      'Your ChatGPT login could not be refreshed: the issuer rejected the refresh token (refresh_token_reused (HTTP 401)). Log in again with `codetether auth login`.',
      { status: 401 },
    );
    const mapped = mapAuthError(rejected);
    expect(mapped).toMatchObject({ code: 'unauthorized', status: 401, isRetryable: false });
    expect(mapped.message).toBe(rejected.message);
    expect(mapped.cause).toBe(rejected);

    const network = mapAuthError(
      new OAuthError(
        'network-error',
        'Refreshing the token could not reach auth.openai.com: ECONNREFUSED. Check your network connection (and proxy settings) and try again.',
        { isRetryable: true },
      ),
    );
    expect(network).toMatchObject({ code: 'network-error', isRetryable: true });
    expect(network.message.match(/codetether auth login|Check your network/g)).toHaveLength(1);
  });

  it('ends every message with one period and a next step', () => {
    for (const error of [
      new Error('boom.'),
      new Error('boom'),
      new Error(''),
      'not an error',
      new OAuthError(
        'token-endpoint-error',
        'Refreshing failed: HTTP 500. Log in again with `codetether auth login`.',
      ),
      new OAuthError(
        'credentials-corrupt',
        'The credentials file /x/auth.json is not valid JSON. Run `codetether auth login`.',
      ),
      new OAuthError('lock-failed', 'Could not lock /x/auth.json. Delete /x/auth.json.lock and try again.'),
    ]) {
      const { message } = mapAuthError(error);
      expect(message).not.toMatch(/\.\.|\.\)\.|: \./);
      expect(message).toMatch(/[.!?]$/);
      expect(message).toMatch(/codetether auth login|try again/i);
    }
  });
});
