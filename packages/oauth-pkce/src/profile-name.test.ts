import { describe, expect, it } from 'vitest';
import { isOAuthError } from './errors.js';
import { DEFAULT_PROFILE, isValidProfileName, parseProfileName } from './profile-name.js';

describe('parseProfileName', () => {
  it('treats unset, blank and "default" as the default profile', () => {
    expect(parseProfileName(undefined)).toBe(DEFAULT_PROFILE);
    expect(parseProfileName('  ')).toBe(DEFAULT_PROFILE);
    expect(parseProfileName('default')).toBe(DEFAULT_PROFILE);
  });

  it('accepts lower-case names with digits, dashes and underscores', () => {
    expect(parseProfileName(' work ')).toBe('work');
    expect(parseProfileName('personal-2')).toBe('personal-2');
    expect(parseProfileName('a_b')).toBe('a_b');
    expect(isValidProfileName('x'.repeat(64))).toBe(true);
  });

  it.each([
    '../x',
    '..',
    '.hidden',
    'a/b',
    'a\\b',
    'Work',
    '-x',
    '_x',
    'a:b',
    'a*',
    'a b',
    'x'.repeat(65),
    'wörk',
  ])('refuses %j with a typed error that shows the rule', (name) => {
    let thrown: unknown;
    try {
      parseProfileName(name);
    } catch (error) {
      thrown = error;
    }
    expect(isOAuthError(thrown, 'invalid-profile')).toBe(true);
    expect((thrown as Error).message).toMatch(/is not valid\. Use 1 to 64 lower-case letters/);
  });
});
