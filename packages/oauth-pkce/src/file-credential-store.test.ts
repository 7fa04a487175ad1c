import { execFileSync } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnFixture, waitForLine } from './__fixtures__/child-process.js';
import { makeCredentials } from './__fixtures__/credentials.js';
import { resolveCodetetherHome } from './codetether-home.js';
import { createFileCredentialStore } from './file-credential-store.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-store-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('resolveCodetetherHome', () => {
  it('uses CODETETHER_HOME, else ~/.codetether', () => {
    expect(resolveCodetetherHome({ CODETETHER_HOME: '/tmp/x' })).toBe('/tmp/x');
    expect(resolveCodetetherHome({ CODETETHER_HOME: '  ' })).toMatch(/\.codetether$/);
    expect(resolveCodetetherHome({})).toMatch(/\.codetether$/);
  });
});

describe('createFileCredentialStore', () => {
  it('writes auth.json (0600) in a new 0700 folder and reads it back', async () => {
    const home = join(folder, 'home');
    const store = createFileCredentialStore({ home });
    expect(store.location).toBe(join(home, 'auth.json'));
    expect(await store.read()).toBeUndefined();
    const credentials = makeCredentials();
    await store.write(credentials);
    expect(await store.read()).toEqual(credentials);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(store.location)).mode & 0o777).toBe(0o600);
    const json = JSON.parse(await readFile(store.location, 'utf8'));
    expect(json).toMatchObject({ version: 1, type: 'chatgpt', accountId: 'acct_123', source: 'login' });
    expect(Object.keys(json.tokens).sort()).toEqual(['accessToken', 'expiresAt', 'idToken', 'refreshToken']);
    expect((await readdir(home)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a symlinked auth.json for reading and writing, and leaves its target alone',
    async () => {
      const store = createFileCredentialStore({ home: folder });
      const elsewhere = join(folder, 'elsewhere.json');
      await createFileCredentialStore({ path: elsewhere }).write(makeCredentials());
      const before = await readFile(elsewhere, 'utf8');
      await symlink(elsewhere, store.location);
      const error = await store.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'credentials-io-error', path: store.location });
      expect((error as Error).message).toContain('is a symbolic link');
      expect((error as Error).message).toContain('CODETETHER_HOME');
      await expect(store.write(makeCredentials({ marker: 'other' }))).rejects.toMatchObject({
        code: 'credentials-io-error',
      });
      expect(await readFile(elsewhere, 'utf8')).toBe(before);
      expect((await lstat(store.location)).isSymbolicLink()).toBe(true);
      // A dangling link is refused the same way (never treated as "not logged in").
      await rm(elsewhere);
      await expect(store.read()).rejects.toMatchObject({ code: 'credentials-io-error' });
      // delete removes the link itself, after which a login can be stored.
      await store.delete();
      await store.write(makeCredentials());
      expect((await lstat(store.location)).isFile()).toBe(true);
    },
  );

  it.skipIf(process.platform === 'win32')(
    'tightens a group/world-readable auth.json to 0600 when reading it',
    async () => {
      const store = createFileCredentialStore({ home: folder });
      const credentials = makeCredentials();
      await store.write(credentials);
      await chmod(store.location, 0o644);
      expect(await store.read()).toEqual(credentials);
      expect((await stat(store.location)).mode & 0o777).toBe(0o600);
    },
  );

  it('refuses an auth.json that is not a regular file', async () => {
    const store = createFileCredentialStore({ home: folder });
    await mkdir(store.location);
    const error = await store.read().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'credentials-io-error' });
    expect((error as Error).message).toContain('not a regular file');
  });

  it.skipIf(process.platform === 'win32')(
    'refuses an auth.json that is a FIFO at once, for reading and writing, instead of hanging',
    async () => {
      const store = createFileCredentialStore({ home: folder });
      execFileSync('mkfifo', [store.location]);
      const error = await store.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'credentials-io-error', path: store.location });
      expect((error as Error).message).toContain('is a named pipe (FIFO), not a regular file');
      expect((error as Error).message).toContain('codetether auth login');
      await expect(store.write(makeCredentials())).rejects.toMatchObject({ code: 'credentials-io-error' });
      expect((await lstat(store.location)).isFIFO()).toBe(true);
    },
  );

  it.skipIf(process.platform === 'win32')(
    'tightens a home folder it owns that others can write (0777, 0770) to 0700; leaves 0755 alone',
    async () => {
      const credentials = makeCredentials();
      for (const [mode, expected] of [
        [0o777, 0o700],
        [0o770, 0o700],
        [0o755, 0o755],
      ] as const) {
        const home = join(folder, `home-${mode.toString(8)}`);
        await mkdir(home);
        await chmod(home, mode);
        const store = createFileCredentialStore({ home });
        expect(await store.read()).toBeUndefined();
        expect((await stat(home)).mode & 0o777).toBe(expected);
        await chmod(home, mode);
        await store.write(credentials);
        expect((await stat(home)).mode & 0o777).toBe(expected);
        expect(await store.read()).toEqual(credentials);
      }
    },
  );

  it.skipIf(process.platform === 'win32')(
    'refuses a home folder others can write that belongs to another user (e.g. /tmp), touching nothing',
    async () => {
      let shared: string;
      if (process.getuid?.() === 0) {
        shared = join(folder, 'shared');
        await mkdir(shared);
        await chown(shared, 65534, 65534);
        await chmod(shared, 0o777);
      } else {
        // /tmp: world-writable and owned by root.
        shared = tmpdir();
        const info = await stat(shared);
        if (info.uid === process.getuid?.() || (info.mode & 0o002) === 0) return;
      }
      const store = createFileCredentialStore({
        path: join(shared, `auth-${process.pid}-${Date.now()}.json`),
      });
      const error = await store.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'credentials-io-error', path: store.location });
      const message = (error as Error).message;
      expect(message).toContain(
        `The folder ${shared} (which holds ${store.location}) can be written by other users`,
      );
      expect(message).toContain('belongs to another user');
      expect(message).toContain('Set CODETETHER_HOME to a folder only you can write to');
      await expect(store.write(makeCredentials())).rejects.toMatchObject({ code: 'credentials-io-error' });
      await expect(stat(store.location)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await stat(shared)).mode & 0o777).toBe(0o777);
    },
  );

  it.skipIf(process.platform === 'win32')(
    'refuses a shared (sticky, world-writable) home folder even when it owns it, and leaves its mode alone',
    async () => {
      const shared = join(folder, 'like-tmp');
      await mkdir(shared);
      await chmod(shared, 0o1777);
      const store = createFileCredentialStore({ home: shared });
      const error = await store.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'credentials-io-error' });
      expect((error as Error).message).toContain('(mode 1777) and is a shared folder (sticky bit set)');
      expect((error as Error).message).toContain('Set CODETETHER_HOME to a folder only you can write to');
      await expect(store.write(makeCredentials())).rejects.toMatchObject({ code: 'credentials-io-error' });
      expect((await stat(shared)).mode & 0o7777).toBe(0o1777);
      expect(await readdir(shared)).toEqual([]);
    },
  );

  it('defaults to $CODETETHER_HOME/auth.json', () => {
    const store = createFileCredentialStore({ env: { CODETETHER_HOME: folder } });
    expect(store.location).toBe(join(folder, 'auth.json'));
  });

  it('reports corrupt JSON with the path and never overwrites it', async () => {
    const store = createFileCredentialStore({ home: folder });
    await writeFile(store.location, '{"version": 1, "type": "chat', { mode: 0o600 });
    const error = await store.read().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'credentials-corrupt', path: store.location });
    expect((error as Error).message).toContain(store.location);
    expect((error as Error).message).toContain('codetether auth login');
    await expect(store.write(makeCredentials())).rejects.toMatchObject({ code: 'credentials-corrupt' });
    expect(await readFile(store.location, 'utf8')).toBe('{"version": 1, "type": "chat');
    await store.delete();
    await store.write(makeCredentials());
    expect(await store.read()).toBeDefined();
  });

  it('reports a foreign file (schema mismatch) and recognises a Codex CLI auth.json', async () => {
    const store = createFileCredentialStore({ home: folder });
    await writeFile(store.location, JSON.stringify({ hello: 'world' }));
    await expect(store.read()).rejects.toMatchObject({ code: 'credentials-corrupt' });
    await writeFile(
      store.location,
      JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: { access_token: 'secret-a', refresh_token: 'secret-r' },
      }),
    );
    const error = (await store.read().catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('import-codex');
    expect(error.message).not.toContain('secret-');
    expect(inspect(error)).not.toContain('secret-');
    await expect(store.write(makeCredentials())).rejects.toMatchObject({ code: 'credentials-corrupt' });
  });

  it('rejects invalid credentials on write', async () => {
    const store = createFileCredentialStore({ home: folder });
    await expect(store.write({ ...makeCredentials(), lastRefreshAt: Number.NaN })).rejects.toThrow(TypeError);
  });

  it('deletes without error when nothing is stored', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.delete();
    await store.write(makeCredentials());
    await store.delete();
    expect(await store.read()).toBeUndefined();
  });

  it('serialises withLock callers in one process (also across store instances)', async () => {
    const first = createFileCredentialStore({ home: folder });
    const second = createFileCredentialStore({ home: folder });
    const events: string[] = [];
    const task = (name: string, store: typeof first) =>
      store.withLock(async () => {
        events.push(`${name}:start`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push(`${name}:end`);
        return name;
      });
    expect(await Promise.all([task('a', first), task('b', second), task('c', first)])).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    await expect(first.withLock(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await first.withLock(async () => 'released')).toBe('released');
  });

  it('takes over an abandoned (stale) lock', async () => {
    const store = createFileCredentialStore({ home: folder, lockStaleMs: 2000 });
    const lockPath = `${store.location}.lock`;
    await mkdir(lockPath);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    expect(await store.withLock(async () => 'got it')).toBe('got it');
  });

  it('fails with lock-failed when a live lock is never released', async () => {
    const store = createFileCredentialStore({ home: folder, lockStaleMs: 60_000, lockTimeoutMs: 200 });
    await mkdir(`${store.location}.lock`);
    const error = await store.withLock(async () => 'never').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'lock-failed' });
    expect((error as Error).message).toContain(`${store.location}.lock`);
  });

  it('shows only its location when inspected', () => {
    const store = createFileCredentialStore({ home: folder });
    expect(inspect(store)).toContain('auth.json');
    expect(JSON.stringify(store)).toContain('auth.json');
  });

  it('keeps either the old or the new login when a writer is SIGKILLed mid-write', async () => {
    const store = createFileCredentialStore({ home: folder });
    const expectOldOrNew = async () => {
      const credentials = await store.read();
      expect(['account-old', 'account-new']).toContain(credentials?.accountId);
      const marker = credentials?.accountId === 'account-old' ? 'old' : 'new';
      expect(credentials?.tokens.accessToken).toBe(`access-${marker}`);
      expect(credentials?.tokens.refreshToken).toBe(`refresh-${marker}`);
      expect(credentials?.tokens.idToken?.startsWith(`${marker}-`)).toBe(true);
      expect(credentials?.tokens.idToken?.length).toBe(marker.length + 1 + 256 * 1024);
    };
    // Each round reads the file while the writer is busy (readers never see a partial file either),
    // then kills the writer at a different point of its write loop.
    for (const readsBeforeKill of [0, 3, 12]) {
      const child = spawnFixture('write-loop.mjs', [store.location]);
      await waitForLine(child, (line) => line === 'ready');
      for (let read = 0; read < readsBeforeKill; read++) await expectOldOrNew();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await expectOldOrNew();
      expect((await stat(store.location)).mode & 0o777).toBe(0o600);
    }
    // Temp files a killed writer left behind never get in the way of the next write.
    await store.write(makeCredentials());
    expect((await store.read())?.accountId).toBe('acct_123');
  }, 60_000);
});
