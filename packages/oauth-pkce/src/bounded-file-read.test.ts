import { appendFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeByteLimit, readFileHandleAtMost } from './bounded-file-read.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-bounded-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function readAtMost(path: string, maxBytes: number): Promise<Buffer | undefined> {
  const handle = await open(path, 'r');
  try {
    return await readFileHandleAtMost(handle, maxBytes);
  } finally {
    await handle.close();
  }
}

describe('readFileHandleAtMost', () => {
  it('reads a file of up to the limit whole (empty, small, exactly the limit, over several pieces)', async () => {
    const path = join(folder, 'file');
    await writeFile(path, '');
    expect(await readAtMost(path, 10)).toEqual(Buffer.alloc(0));
    await writeFile(path, 'hello');
    expect((await readAtMost(path, 10))?.toString()).toBe('hello');
    const big = Buffer.alloc(200 * 1024, 'x');
    await writeFile(path, big);
    expect(await readAtMost(path, big.length)).toEqual(big);
  });

  it('refuses a file one byte over the limit, and a huge sparse file without reading it whole', async () => {
    const path = join(folder, 'file');
    await writeFile(path, 'hello!');
    expect(await readAtMost(path, 5)).toBeUndefined();
    const handle = await open(path, 'w');
    await handle.truncate(8 * 1024 ** 3);
    await handle.close();
    expect(await readAtMost(path, 1024)).toBeUndefined();
  });

  it('stops at the limit when the file grew after it was opened and fstat-ed', async () => {
    const path = join(folder, 'file');
    await writeFile(path, '{}');
    const handle = await open(path, 'r');
    try {
      expect((await handle.stat()).size).toBe(2);
      await appendFile(path, Buffer.alloc(2 * 1024 * 1024, ' '));
      expect(await readFileHandleAtMost(handle, 1024 * 1024)).toBeUndefined();
    } finally {
      await handle.close();
    }
  });
});

describe('describeByteLimit', () => {
  it('says MiB, KiB or bytes', () => {
    expect(describeByteLimit(16 * 1024 * 1024)).toBe('16 MiB (16777216 bytes)');
    expect(describeByteLimit(64 * 1024)).toBe('64 KiB (65536 bytes)');
    expect(describeByteLimit(1000)).toBe('1000 bytes');
  });
});
