import { describe, expect, it } from 'vitest';
import { collectSecretValues, redactSecrets } from './secret-redaction.js';

describe('redactSecrets', () => {
  it('removes the exact credential values of the request', () => {
    const secrets = collectSecretValues({ Authorization: 'Bearer opaque-token-value', 'x-other': 'public' });
    expect(secrets).toContain('opaque-token-value');
    expect(secrets).not.toContain('public');
    expect(redactSecrets('token opaque-token-value leaked', secrets)).toBe('token [redacted] leaked');
  });

  it('removes anything shaped like a bearer token, API key or JWT', () => {
    expect(redactSecrets('Authorization: Bearer abc.def')).toBe('Authorization: [redacted]');
    expect(redactSecrets('key sk-proj-abcdefghijkl given')).toBe('key [redacted] given');
    expect(redactSecrets('jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl end')).toBe('jwt [redacted] end');
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('The server had an error while processing your request.')).toBe(
      'The server had an error while processing your request.',
    );
  });
});
