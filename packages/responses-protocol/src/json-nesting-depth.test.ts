import { describe, expect, it } from 'vitest';
import { isJsonNestedDeeperThan } from './json-nesting-depth.js';

describe('isJsonNestedDeeperThan', () => {
  it('counts objects and arrays outside strings only, escaped quotes included', () => {
    expect(isJsonNestedDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(isJsonNestedDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(isJsonNestedDeeperThan(JSON.stringify({ text: '[[[[{{{{\\"[[[[' }), 1)).toBe(false);
    expect(isJsonNestedDeeperThan('["[[[[", "\\"[[[["]', 1)).toBe(false);
    expect(isJsonNestedDeeperThan('[][][][]', 1)).toBe(false);
  });

  it('stops at the first level too deep, without recursion', () => {
    expect(isJsonNestedDeeperThan(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 128)).toBe(true);
  });
});
