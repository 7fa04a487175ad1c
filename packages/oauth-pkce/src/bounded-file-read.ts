import type { FileHandle } from 'node:fs/promises';

/** The largest piece read at once: a file near its limit is read in pieces, never in one huge buffer. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads an open file from its start, but never more than `maxBytes + 1` bytes: a file that grows after
 * it was opened or `fstat`-ed (or whose size `fstat` misreports) cannot make the read longer. Resolves
 * with the bytes read, or `undefined` when the file holds more than `maxBytes` (the rest is not read).
 *
 * @param handle - the opened file
 * @param maxBytes - the most bytes the file may hold (a non-negative integer)
 */
export async function readFileHandleAtMost(
  handle: FileHandle,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  // One byte past the limit tells "exactly the limit" from "over it".
  while (total <= maxBytes) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
    if (bytesRead === 0) break;
    chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return total > maxBytes ? undefined : Buffer.concat(chunks, total);
}

/**
 * A byte count in words for messages: `1 MiB (1048576 bytes)`, `64 KiB (65536 bytes)`, or `N bytes`.
 *
 * @param bytes - the count
 */
export function describeByteLimit(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0)
    return `${bytes / 1024 / 1024} MiB (${bytes} bytes)`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB (${bytes} bytes)`;
  return `${bytes} bytes`;
}
