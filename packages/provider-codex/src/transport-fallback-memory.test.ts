import { describe, expect, it } from 'vitest';
import { createTransportFallbackMemory } from './transport-fallback-memory.js';

describe('createTransportFallbackMemory', () => {
  it('remembers a session fallback until it expires', () => {
    let now = 1_000;
    const memory = createTransportFallbackMemory({ stickyMs: 100, now: () => now });
    expect(memory.shouldUseHttp('e', 's')).toBe(false);
    memory.rememberSessionFallback('s');
    expect(memory.shouldUseHttp('e', 's')).toBe(true);
    expect(memory.shouldUseHttp('e', 'other')).toBe(false);
    now += 100;
    expect(memory.shouldUseHttp('e', 's')).toBe(false);
  });

  it('remembers an endpoint that refuses WebSockets for every session', () => {
    let now = 0;
    const memory = createTransportFallbackMemory({ stickyMs: 50, now: () => now });
    memory.rememberEndpointFallback('e');
    expect(memory.shouldUseHttp('e', 'a')).toBe(true);
    expect(memory.shouldUseHttp('f', 'a')).toBe(false);
    now = 60;
    expect(memory.shouldUseHttp('e', 'a')).toBe(false);
  });

  it('forgets the oldest sessions beyond the cap and remembers nothing with stickyMs 0', () => {
    const memory = createTransportFallbackMemory({ stickyMs: 1000, now: () => 0, maxSessions: 2 });
    memory.rememberSessionFallback('a');
    memory.rememberSessionFallback('b');
    memory.rememberSessionFallback('c');
    expect(memory.shouldUseHttp('e', 'a')).toBe(false);
    expect(memory.shouldUseHttp('e', 'c')).toBe(true);
    memory.clear();
    expect(memory.shouldUseHttp('e', 'c')).toBe(false);
    const off = createTransportFallbackMemory({ stickyMs: 0, now: () => 0 });
    off.rememberSessionFallback('a');
    expect(off.shouldUseHttp('e', 'a')).toBe(false);
  });
});
