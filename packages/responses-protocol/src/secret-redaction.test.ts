import { describe, expect, it } from 'vitest';
import {
  collectRequestSecrets,
  REDACTED,
  redactCredential,
  redactErrorInPlace,
  redactHeaders,
  redactSecrets,
} from './secret-redaction.js';

describe('redactSecrets', () => {
  it('keeps the scheme word or key prefix and replaces the credential with [redacted]', () => {
    expect(redactSecrets('Authorization: Bearer abc.def.ghi.jkl')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('proxy: Basic dXNlcjpwYXNzd29yZA==')).toBe('proxy: Basic [redacted]');
    expect(redactSecrets('key sk-proj-abcdefghijkl given')).toBe('key sk-[redacted] given');
    expect(redactSecrets('jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl end')).toBe('jwt [redacted] end');
    expect(redactSecrets('Bearer abc123def456 and sk-proj-abcdefgh and eyJhbGciOi.eyJzdWIiOi.sig')).toBe(
      'Bearer [redacted] and sk-[redacted] and [redacted]',
    );
  });

  it('removes the exact secret values given, longest first', () => {
    const secrets = ['opaque-token', 'opaque-token-value'];
    expect(redactSecrets('token opaque-token-value leaked', secrets)).toBe(`token ${REDACTED} leaked`);
    expect(redactSecrets('short abc stays', ['abc'])).toBe('short abc stays');
  });

  it('leaves prose and short tails alone, and is idempotent', () => {
    const prose =
      'The server had an error. Use Bearer auth (i.e. Authorization: Bearer YOUR_KEY). Bearer of good news, sk-short.';
    expect(redactSecrets(prose)).toBe(prose);
    const once = redactSecrets('Bearer abcdefghijkl sk-abcdefghijkl');
    expect(redactSecrets(once)).toBe(once);
  });
});

describe('redactCredential and redactHeaders', () => {
  it('keeps only a Bearer or Basic scheme word of a whole-value credential', () => {
    expect(redactCredential('Bearer abc')).toBe('Bearer [redacted]');
    expect(redactCredential('basic dXNlcg==')).toBe('basic [redacted]');
    expect(redactCredential('sk-abcdefghijkl')).toBe(REDACTED);
    expect(redactCredential('hunter2 with spaces')).toBe(REDACTED);
  });

  it('redacts credential headers whole and credential-shaped text in the others', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer t',
        'openai-api-key': 'sk-abc',
        cookie: 'session=xyz',
        'x-forwarded-authorization': 'Bearer abcdefghijklmn',
        'content-type': 'application/json',
      }),
    ).toEqual({
      Authorization: 'Bearer [redacted]',
      'openai-api-key': REDACTED,
      cookie: REDACTED,
      'x-forwarded-authorization': 'Bearer [redacted]',
      'content-type': 'application/json',
    });
  });
});

describe('collectRequestSecrets', () => {
  it('collects credential header values (the credential after a scheme), cookies and URL secrets', () => {
    const secrets = collectRequestSecrets(
      {
        Authorization: 'Bearer opaque-token-value',
        cookie: 'a=cookie-one; b=cookie-two',
        'x-other': 'public-value',
      },
      'https://user-name:pass%40word@example.com/v1/responses?api_key=query-secret-1&v=2',
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        'opaque-token-value',
        'cookie-one',
        'cookie-two',
        'user-name',
        'pass%40word',
        'pass@word',
        'query-secret-1',
      ]),
    );
    expect(secrets).not.toContain('Bearer opaque-token-value');
    expect(secrets).not.toContain('public-value');
    expect(secrets).not.toContain('2');
    expect(redactSecrets('echo Bearer opaque-token-value', secrets)).toBe('echo Bearer [redacted]');
  });

  it('ignores a URL that does not parse', () => {
    expect(collectRequestSecrets({}, 'not a url')).toEqual([]);
  });
});

describe('redactErrorInPlace', () => {
  it('scrubs the message, the stack and every string field but name and code', () => {
    const error = Object.assign(new Error('failed for opaque-secret-1'), {
      code: 'network',
      serverMessage: 'echo opaque-secret-1',
      requestId: 'Bearer abcdefghijklmn',
      status: 500,
    });
    const same = redactErrorInPlace(error, ['opaque-secret-1']);
    expect(same).toBe(error);
    expect(error.message).toBe('failed for [redacted]');
    expect(error.stack).not.toContain('opaque-secret-1');
    expect(error.serverMessage).toBe('echo [redacted]');
    expect(error.requestId).toBe('Bearer [redacted]');
    expect(error).toMatchObject({ code: 'network', status: 500, name: 'Error' });
  });
});
