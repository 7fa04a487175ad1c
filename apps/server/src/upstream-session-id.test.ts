import { describe, expect, it } from 'vitest';
import { clientTagOf } from './conversation-index.js';
import { upstreamSessionIdOf } from './upstream-session-id.js';

describe('upstreamSessionIdOf', () => {
  const alice = clientTagOf('Bearer alice-key');
  const bob = clientTagOf('Bearer bob-key');

  it('is stable per key and session, and differs between keys and between sessions', () => {
    expect(upstreamSessionIdOf(alice, 'session-1')).toBe(upstreamSessionIdOf(alice, 'session-1'));
    expect(upstreamSessionIdOf(alice, 'session-1')).not.toBe(upstreamSessionIdOf(bob, 'session-1'));
    expect(upstreamSessionIdOf(alice, 'session-1')).not.toBe(upstreamSessionIdOf(alice, 'session-2'));
  });

  it('is a UUID whatever the client sent (never the client’s bytes in an upstream header)', () => {
    for (const sessionId of ['session-1', 'x'.repeat(200), 'ünïcødé', 'a\tb'])
      expect(upstreamSessionIdOf(alice, sessionId)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
  });
});
