import { describe, expect, it } from 'vitest';
import { abortableSleep } from './abortable-sleep.js';

describe('abortableSleep', () => {
  it('resolves after the delay', async () => {
    await expect(abortableSleep(0)).resolves.toBeUndefined();
  });

  it('rejects with the reason at once when aborted, clearing its timer', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const controller = new AbortController();
    const sleeping = abortableSleep(600_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    const timersAfter = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });

  it('rejects for an already aborted signal', async () => {
    await expect(abortableSleep(10, AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
  });
});
