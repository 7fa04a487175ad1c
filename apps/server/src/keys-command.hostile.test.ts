import { chmod, mkdir, mkdtemp, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayEnvironment, runServerCli } from './__fixtures__/gateway-process.js';
import { runKeysInProcess } from './__fixtures__/keys-command-run.js';
import { ClientKeyError } from './client-key-error.js';
import {
  CLIENT_KEYS_FILE_MAX_BYTES,
  CLIENT_KEYS_FILE_NAME,
  createFileClientKeyStore,
  hashClientKey,
} from './client-key-store.js';
import { CLIENT_KEY_USAGE_FILE_NAME, readClientKeyUsage } from './client-key-usage-file.js';
import { clientKeyWarnings } from './start-up-warnings.js';

const homes: string[] = [];

afterEach(async () => {
  await Promise.all(homes.splice(0).map((home) => rm(home, { recursive: true, force: true })));
});

async function temporaryHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'codetether-keys-hostile-'));
  homes.push(home);
  await chmod(home, 0o700);
  return home;
}

const runKeys = runKeysInProcess;

/** Anything a terminal would act on: C0 controls but the line feed, DEL, C1 controls, bidi overrides. */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const HASH = 'a'.repeat(64);

describe('concurrent keys create and revoke', () => {
  it('loses no key when creates run at once through separate stores (as separate processes do)', async () => {
    const home = await temporaryHome();
    const names = Array.from({ length: 12 }, (_, index) => `client-${index}`);
    // Each create through its own store: no shared in-memory state, like one `keys create` per process.
    await Promise.all(names.map((name) => createFileClientKeyStore({ home }).create(name)));
    const stored = await createFileClientKeyStore({ home }).load();
    expect(stored.map((record) => record.name).sort()).toEqual([...names].sort());
  });

  it('loses no key when a revoke and creates run at once', async () => {
    const home = await temporaryHome();
    await createFileClientKeyStore({ home }).create('old');
    await Promise.all([
      createFileClientKeyStore({ home }).revoke('old'),
      ...['a', 'b', 'c', 'd'].map((name) => createFileClientKeyStore({ home }).create(name)),
    ]);
    const stored = await createFileClientKeyStore({ home }).load();
    expect(stored.map((record) => record.name).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('two `keys create` processes at once both keep their key', async () => {
    const home = await temporaryHome();
    const env = gatewayEnvironment({ CODETETHER_HOME: home });
    const results = await Promise.all(
      ['one', 'two', 'three'].map((name) => runServerCli(env, ['keys', 'create', name])),
    );
    expect(results.map((result) => result.code)).toEqual([0, 0, 0]);
    const listed = await runServerCli(env, ['keys', 'list']);
    for (const name of ['one', 'two', 'three']) expect(listed.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
  });

  it('a lock left by a process that died is taken over, not waited on forever', async () => {
    const home = await temporaryHome();
    // What a `keys create` killed while holding the lock leaves behind: a lock no one updates any more.
    await mkdir(join(home, `${CLIENT_KEYS_FILE_NAME}.lock`));
    const old = new Date(Date.now() - 10 * 60_000);
    const { utimes } = await import('node:fs/promises');
    await utimes(join(home, `${CLIENT_KEYS_FILE_NAME}.lock`), old, old);
    await createFileClientKeyStore({ home }).create('after-crash');
    expect((await createFileClientKeyStore({ home }).load()).map((record) => record.name)).toEqual([
      'after-crash',
    ]);
  });
});

describe('hostile entries in the key file', () => {
  it('keys list shows no escape sequence, newline or megabyte from a planted entry, and says it ignored them', async () => {
    const home = await temporaryHome();
    const keys = [
      { name: 'good', hash: HASH, createdAt: '2026-01-01T00:00:00.000Z' },
      {
        name: 'evil\u001b[2J\u001b]0;pwned\u0007\nroot',
        hash: HASH.replace('a', 'b'),
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      { name: 'x'.repeat(1_000_000), hash: HASH.replace('a', 'c'), createdAt: '2026-01-01T00:00:00.000Z' },
      {
        name: 'profiled',
        hash: HASH.replace('a', 'd'),
        profile: 'w\u009b31m\u202eork',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      { name: 'numbered', hash: HASH.replace('a', 'e'), profile: 7, createdAt: '2026-01-01T00:00:00.000Z' },
      { name: 'dated', hash: HASH.replace('a', 'f'), createdAt: '\u001b[31mtomorrow' },
    ];
    await writeFile(join(home, CLIENT_KEYS_FILE_NAME), JSON.stringify({ keys }), { mode: 0o600 });
    const listed = await runKeys(home, 'list');
    expect(listed.error).toBeUndefined();
    expect(listed.stdout).toMatch(/^good\s/m);
    expect(listed.stdout.split('\n').length).toBe(3);
    expect(listed.stdout + listed.stderr).not.toMatch(TERMINAL_CONTROL);
    expect(listed.stdout.length).toBeLessThan(1_000);
    expect(listed.stderr).toContain('Ignored 5 entries');
  });

  it('the gateway does not accept a key whose stored entry is not valid (its name would reach /metrics)', async () => {
    const home = await temporaryHome();
    const key = 'ctsk-planted';
    const keys = [
      { name: 'bad"} 1\nfake_metric', hash: hashClientKey(key), createdAt: '2026-01-01T00:00:00.000Z' },
    ];
    await writeFile(join(home, CLIENT_KEYS_FILE_NAME), JSON.stringify({ keys }), { mode: 0o600 });
    expect(await createFileClientKeyStore({ home }).load()).toEqual([]);
  });

  it('keys list shows only numbers from a hostile usage file', async () => {
    const home = await temporaryHome();
    await createFileClientKeyStore({ home }).create('laptop');
    await writeFile(
      join(home, CLIENT_KEY_USAGE_FILE_NAME),
      JSON.stringify({
        since: '2026\u001b[2J',
        keys: { laptop: { requests: '\u001b[31m9', tokens: { toString: 1 } } },
      }),
      { mode: 0o600 },
    );
    const listed = await runKeys(home, 'list');
    expect(listed.stdout + listed.stderr).not.toMatch(TERMINAL_CONTROL);
    expect(listed.stdout).toMatch(/^laptop\s+-\s+\S+\s+0\s+0$/m);
    expect(await readClientKeyUsage(home)).toBeUndefined();
  });

  it('a name given on the command line is shown escaped and cut in the error, not sent to the terminal', async () => {
    const home = await temporaryHome();
    for (const name of ['\u001b[2Jevil', 'y'.repeat(1_000_000)]) {
      for (const action of ['create', 'revoke']) {
        const result = await runKeys(home, action, name);
        expect(result.error).toBeInstanceOf(ClientKeyError);
        const message = (result.error as Error).message;
        expect(message).not.toMatch(TERMINAL_CONTROL);
        expect(message.length).toBeLessThan(600);
      }
    }
  });
});

describe('keys commands against a home folder that cannot be used', () => {
  it('create: exit 1, one line saying what to do, no key printed; revoke of an unknown name creates nothing', async () => {
    const parent = await temporaryHome();
    const file = join(parent, 'not-a-folder');
    await writeFile(file, '');
    const env = gatewayEnvironment({ CODETETHER_HOME: join(file, 'home') });
    const created = await runServerCli(env, ['keys', 'create', 'laptop']);
    expect(created.code).toBe(1);
    expect(created.stdout).toBe('');
    expect(created.stderr.trim().split('\n')).toHaveLength(1);
    expect(created.stderr).toContain('client key file');
    const missingHome = join(parent, 'missing');
    const revoked = await runKeys(missingHome, 'revoke', 'laptop');
    expect(revoked.error).toMatchObject({ code: 'client_key_not_found' });
    await expect(readFile(join(missingHome, CLIENT_KEYS_FILE_NAME))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(parent)).toEqual(['not-a-folder']);
  });
});

describe('the usage file planted or broken', () => {
  it('a symbolic link in place of the usage file is replaced, never written through', async () => {
    const home = await temporaryHome();
    const target = join(home, 'elsewhere.txt');
    await writeFile(target, 'untouched\n');
    await symlink(target, join(home, CLIENT_KEY_USAGE_FILE_NAME));
    const { writeClientKeyUsage } = await import('./client-key-usage-file.js');
    await writeClientKeyUsage(home, { since: '2026-01-01T00:00:00.000Z', keys: {} });
    expect(await readFile(target, 'utf8')).toBe('untouched\n');
    expect(await readClientKeyUsage(home)).toEqual({ since: '2026-01-01T00:00:00.000Z', keys: {} });
  });

  it('corrupted key file: keys list fails with one clear line naming the file', async () => {
    const home = await temporaryHome();
    await writeFile(join(home, CLIENT_KEYS_FILE_NAME), '{"keys": [', { mode: 0o600 });
    const result = await runKeys(home, 'list');
    expect(result.error).toMatchObject({ code: 'client_key_file_unreadable' });
    expect((result.error as Error).message).toContain(join(home, CLIENT_KEYS_FILE_NAME));
  });
});

describe('a key file over the size limit', () => {
  const record = { name: 'laptop', hash: HASH, createdAt: '2026-01-01T00:00:00.000Z' };
  /** A valid key file padded with spaces to `size` bytes. */
  const paddedKeyFile = (size: number): string => {
    const text = JSON.stringify({ keys: [record] });
    return text.slice(0, -1) + ' '.repeat(size - text.length) + text.slice(-1);
  };

  it('is 16 MiB', () => {
    expect(CLIENT_KEYS_FILE_MAX_BYTES).toBe(16 * 1024 * 1024);
  });

  it('a huge (sparse, 8 GiB) key file is refused without being read, naming the file and the limit', async () => {
    const home = await temporaryHome();
    const path = join(home, CLIENT_KEYS_FILE_NAME);
    const handle = await open(path, 'w', 0o600);
    await handle.truncate(8 * 1024 ** 3);
    await handle.close();
    const failure = await createFileClientKeyStore({ home })
      .load()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClientKeyError);
    expect(failure).toMatchObject({ code: 'client_key_file_too_large', isRetryable: false });
    expect((failure as Error).message).toContain(path);
    expect((failure as Error).message).toContain('16 MiB');
    const listed = await runKeys(home, 'list');
    expect(listed.error).toMatchObject({ code: 'client_key_file_too_large' });
    // At start-up: the gateway's usual warning for a key file it cannot use (its own key keeps working).
    const [warning] = await clientKeyWarnings(createFileClientKeyStore({ home }));
    expect(warning).toContain(`WARNING: the client keys cannot be read: The client key file ${path}`);
    expect(warning).toContain('16 MiB');
  });

  it('a valid key file of exactly the limit is read; one byte more is refused', async () => {
    const home = await temporaryHome();
    const path = join(home, CLIENT_KEYS_FILE_NAME);
    await writeFile(path, paddedKeyFile(CLIENT_KEYS_FILE_MAX_BYTES), { mode: 0o600 });
    const store = createFileClientKeyStore({ home });
    expect((await store.load()).map((entry) => entry.name)).toEqual(['laptop']);
    await writeFile(path, paddedKeyFile(CLIENT_KEYS_FILE_MAX_BYTES + 1), { mode: 0o600 });
    await expect(store.load()).rejects.toMatchObject({ code: 'client_key_file_too_large' });
  });

  it('keys create refuses to grow the file over the limit and leaves it as it was', async () => {
    const home = await temporaryHome();
    const path = join(home, CLIENT_KEYS_FILE_NAME);
    // An ignored entry (kept on rewrite) fills the file, as the store writes it, to 50 bytes under the limit.
    const fileOf = (note: string): string => `${JSON.stringify({ keys: [{ note }, record] }, null, 2)}\n`;
    const overhead = fileOf('').length;
    await writeFile(path, fileOf('x'.repeat(CLIENT_KEYS_FILE_MAX_BYTES - 50 - overhead)), { mode: 0o600 });
    const before = await stat(path);
    const created = await runKeys(home, 'create', 'one-more');
    expect(created.error).toMatchObject({ code: 'client_key_file_too_large' });
    expect(created.stdout).toBe('');
    expect(before.size).toBe(CLIENT_KEYS_FILE_MAX_BYTES - 50);
    expect((await stat(path)).size).toBe(before.size);
    expect((await createFileClientKeyStore({ home }).load()).map((entry) => entry.name)).toEqual(['laptop']);
  });
});
