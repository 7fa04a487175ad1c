import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkAbortSignals } from './linked-abort-signal.js';

describe('linkAbortSignals', () => {
  it('aborts with the reason of whichever source aborts first', () => {
    for (const which of ['first', 'second'] as const) {
      const first = new AbortController();
      const second = new AbortController();
      const linked = linkAbortSignals(first.signal, second.signal);
      expect(linked.signal.aborted).toBe(false);
      (which === 'first' ? first : second).abort(new Error(which));
      expect(linked.signal.aborted).toBe(true);
      expect((linked.signal.reason as Error).message).toBe(which);
      (which === 'first' ? second : first).abort(new Error('later'));
      expect((linked.signal.reason as Error).message).toBe(which);
    }
  });

  it('is a source that had already aborted', () => {
    const closed = new AbortController();
    closed.abort(new Error('closed'));
    expect(linkAbortSignals(new AbortController().signal, closed.signal).signal).toBe(closed.signal);
    expect(linkAbortSignals(closed.signal, new AbortController().signal).signal).toBe(closed.signal);
  });

  it('leaves nothing on the sources once unlinked, and no longer follows them', () => {
    const first = new AbortController();
    const second = new AbortController();
    const linked = linkAbortSignals(first.signal, second.signal);
    expect(getEventListeners(second.signal, 'abort')).toHaveLength(1);
    linked.unlink();
    expect(getEventListeners(first.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(second.signal, 'abort')).toHaveLength(0);
    second.abort();
    expect(linked.signal.aborted).toBe(false);
  });
});
