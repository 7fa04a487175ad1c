import { describe, expect, it } from 'vitest';
import { raceAbort } from './abort-race.js';

describe('raceAbort', () => {
  it('returns the promise itself without a signal and settles like it otherwise', async () => {
    const promise = Promise.resolve(1);
    expect(raceAbort(promise, undefined)).toBe(promise);
    await expect(raceAbort(Promise.resolve(2), new AbortController().signal)).resolves.toBe(2);
    await expect(raceAbort(Promise.reject(new Error('boom')), new AbortController().signal)).rejects.toThrow(
      'boom',
    );
  });

  it('rejects with the reason (or the mapped error) at once, and hands a late value to discardLateValue', async () => {
    const controller = new AbortController();
    let resolveLate: (value: string) => void = () => {};
    const late = new Promise<string>((resolve) => {
      resolveLate = resolve;
    });
    const discarded: string[] = [];
    const raced = raceAbort(late, controller.signal, {
      abortError: (reason) => new Error(`aborted: ${String(reason)}`),
      discardLateValue: (value) => discarded.push(value),
    });
    controller.abort('stop');
    await expect(raced).rejects.toThrow('aborted: stop');
    resolveLate('body');
    await late;
    await Promise.resolve();
    expect(discarded).toEqual(['body']);
  });

  it('rejects with the signal reason when it is already aborted', async () => {
    const reason = new Error('gone');
    await expect(raceAbort(new Promise(() => {}), AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
