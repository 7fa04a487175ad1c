import { describe, expect, it } from 'vitest';
import { GatewayError } from './openai-error.js';
import { readMetadata } from './request-metadata.js';

describe('readMetadata', () => {
  it('keeps every pair as an own property, a "__proto__" key too (JSON.parse makes it one)', () => {
    const metadata = readMetadata(JSON.parse('{"__proto__":"x","constructor":"y","a":"b"}'));
    expect(Object.keys(metadata)).toEqual(['__proto__', 'constructor', 'a']);
    expect(JSON.stringify(metadata)).toBe('{"__proto__":"x","constructor":"y","a":"b"}');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    // Copies keep it as well (the stores spread what they keep).
    expect(JSON.stringify({ ...metadata })).toBe('{"__proto__":"x","constructor":"y","a":"b"}');
  });

  it('refuses a "__proto__" pair whose value is not a string, as any other', () => {
    expect(() => readMetadata(JSON.parse('{"__proto__":{"polluted":"yes"}}'))).toThrow(GatewayError);
    expect(() => readMetadata(JSON.parse('{"__proto__":{"polluted":"yes"}}'))).toThrow(
      "Invalid 'metadata.__proto__': metadata values must be strings.",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
