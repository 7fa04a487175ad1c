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

  it('accepts keys with any non-space characters (CODETETHER_SERVER_API_KEY is free text)', () => {
    const freeText = createBearerAuthenticator('pa$$w0rd!:é');
    expect(() => freeText('Bearer pa$$w0rd!:é')).not.toThrow();
    expect(() => freeText('Bearer\tpa$$w0rd!:é')).not.toThrow();
    expect(() => freeText('Bearer pa$$w0rd!:e')).toThrow(
      expect.objectContaining({ code: 'invalid_api_key' }),
    );
  });

  it('refuses an empty server key', () => {
    expect(() => createBearerAuthenticator('')).toThrow(TypeError);
  });
});
