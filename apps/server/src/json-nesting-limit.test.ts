import { describe, expect, it } from 'vitest';
import { deepNestingParam } from './json-nesting-limit.js';

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
