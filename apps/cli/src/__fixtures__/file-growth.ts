import { truncateSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { vi } from 'vitest';

/**
 * Makes `path` grow to `grownSize` bytes (sparse) right after any opened file is `fstat`-ed
 * (`FileHandle.stat`), before anything is read: the race of a file written to while it is being read,
 * made deterministic. Returns a function that undoes it.
 *
 * @param path - the file that grows
 * @param grownSize - its size once a handle was `fstat`-ed
 */
export async function growFileAfterFstat(path: string, grownSize: number): Promise<() => void> {
  const probe = await open(import.meta.filename, 'r');
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const realStat = prototype.stat;
  const spy = vi.spyOn(prototype, 'stat').mockImplementation(async function (this: FileHandle) {
    const info = await realStat.call(this);
    truncateSync(path, grownSize);
    return info;
  });
  return () => spy.mockRestore();
}
