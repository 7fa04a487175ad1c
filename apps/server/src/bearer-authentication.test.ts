import { describe, expect, it } from 'vitest';
import { createBearerAuthenticator } from './bearer-authentication.js';

describe('createBearerAuthenticator', () => {
  const check = createBearerAuthenticator('ctsk-secret');

  it('accepts the exact key, case-insensitive scheme', () => {
    expect(() => check('Bearer ctsk-secret')).not.toThrow();
    expect(() => check('bearer ctsk-secret')).not.toThrow();
  });

  it.each([
    [undefined, 'missing_api_key'],
    ['', 'missing_api_key'],
    ['Basic abc', 'missing_api_key'],
    ['Bearer ctsk-secre', 'invalid_api_key'],
    ['Bearer ctsk-secret-longer', 'invalid_api_key'],
  ])('rejects %s with 401 %s', (header, code) => {
    expect(() => check(header)).toThrow(expect.objectContaining({ status: 401, code }));
  });

  it('refuses an empty server key', () => {
    expect(() => createBearerAuthenticator('')).toThrow(TypeError);
  });
});
