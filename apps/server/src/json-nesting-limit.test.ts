import { describe, expect, it } from 'vitest';
import { deepNestingParam, exceedsJsonDepth } from './json-nesting-limit.js';

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(exceedsJsonDepth('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(exceedsJsonDepth(JSON.stringify({ text: '[[[[{{{{\\"[[[[' }), 1)).toBe(false);
    expect(exceedsJsonDepth(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 128)).toBe(true);
  });
});

describe('deepNestingParam', () => {
  it('names the free-form field holding the deep value, else the top-level field', () => {
    let deep: unknown = {};
    for (let level = 0; level < 50; level += 1) deep = { a: deep };
    expect(deepNestingParam({ model: 'x', metadata: deep }, 20)).toBe('metadata');
    expect(
      deepNestingParam({ tools: [{ type: 'function', function: { name: 'f', parameters: deep } }] }, 20),
    ).toBe('tools[0].function.parameters');
    expect(deepNestingParam({ input: [{ content: deep }] }, 20)).toBe('input');
    expect(deepNestingParam({ shallow: { a: 1 } }, 20)).toBeNull();
  });
});
