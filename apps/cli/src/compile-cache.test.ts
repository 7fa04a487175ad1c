import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCacheFolder } from './compile-cache.js';

/** `process.getBuiltinModule` with `os.homedir()` answering `home`. */
function builtinWithHome(home: string): (id: string) => unknown {
  return (id) => {
    const module = process.getBuiltinModule(id);
    return id === 'node:os' ? { ...module, homedir: () => home } : module;
  };
}

describe('compileCacheFolder', () => {
  it("is in the user's own cache folder (XDG_CACHE_HOME when absolute) on Linux", async () => {
    if (process.platform !== 'linux') return;
    const home = await mkdtemp(join(tmpdir(), 'codetether-home-'));
    try {
      const builtin = builtinWithHome(home);
      expect(compileCacheFolder({}, builtin)).toBe(join(home, '.cache', 'codetether', 'node-compile-cache'));
      expect(compileCacheFolder({ XDG_CACHE_HOME: '/var/cache/me' }, builtin)).toBe(
        '/var/cache/me/codetether/node-compile-cache',
      );
      expect(compileCacheFolder({ XDG_CACHE_HOME: 'relative' }, builtin)).toBe(
        join(home, '.cache', 'codetether', 'node-compile-cache'),
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('is none when the home folder does not exist (no folder is created for a cache)', () => {
    expect(compileCacheFolder({}, builtinWithHome('/nonexistent/codetether-home'))).toBeUndefined();
  });
});
