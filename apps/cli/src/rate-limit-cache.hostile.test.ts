import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRateLimits, RATE_LIMIT_CACHE_FILE, saveRateLimits } from './rate-limit-cache.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'codetether-rate-limits-hostile-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const posixOnly = process.platform === 'win32' ? it.skip : it;
const withDevZero = existsSync('/dev/zero') && process.platform !== 'win32' ? it : it.skip;

describe('loadRateLimits with a cache file that is not a plain file', () => {
  posixOnly('treats a named pipe (FIFO) as no cache instead of `auth status` waiting forever', async () => {
    execFileSync('mkfifo', [join(home, RATE_LIMIT_CACHE_FILE)]);
    await expect(loadRateLimits(home)).resolves.toBeUndefined();
  });

  withDevZero(
    'treats a link to /dev/zero as no cache instead of reading it until memory runs out',
    async () => {
      await symlink('/dev/zero', join(home, RATE_LIMIT_CACHE_FILE));
      await expect(loadRateLimits(home)).resolves.toBeUndefined();
    },
  );

  it('treats a cache file over 1 MiB (sparse, 8 GiB) as no cache, without reading it', async () => {
    const handle = await open(join(home, RATE_LIMIT_CACHE_FILE), 'w', 0o600);
    await handle.truncate(8 * 1024 ** 3);
    await handle.close();
    await expect(loadRateLimits(home)).resolves.toBeUndefined();
  });

  it('still reads back what was saved', async () => {
    await saveRateLimits(home, { primary: { usedPercent: 12 } } as never, 1234);
    await expect(loadRateLimits(home)).resolves.toMatchObject({ savedAt: 1234 });
  });
});
