import { abortedError } from '../http-request.js';

/**
 * A fake clock starting at 1,000,000 ms whose `sleep` advances time instantly and records every wait
 * (a cancelled signal still rejects with `aborted`, like the real sleep).
 */
export function fakeTime() {
  let current = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => current,
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw abortedError('the wait', signal.reason);
      sleeps.push(ms);
      current += ms;
    },
  };
}
