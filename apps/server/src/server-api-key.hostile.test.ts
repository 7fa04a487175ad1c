import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateServerApiKey, SERVER_API_KEY_FILE_NAME } from './server-api-key.js';
import { startUpWarnings } from './start-up-warnings.js';

const homes: string[] = [];

afterEach(async () => {
  await Promise.all(homes.splice(0).map((home) => rm(home, { recursive: true, force: true })));
});

async function temporaryHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'codetether-server-key-hostile-'));
  homes.push(home);
  await chmod(home, 0o700);
  return home;
}

describe('a server key no client could send is refused at start-up, never silently used', () => {
  it.each(['my secret key', 'line\nbreak', 'tab\tkey', 'k\u001b[2J', 'nbsp\u00a0key', 'c1\u0085key'])(
    'CODETETHER_SERVER_API_KEY=%j: server_key_invalid, and the message does not show the key',
    async (key) => {
      const home = await temporaryHome();
      const attempt = loadOrCreateServerApiKey({
        env: { CODETETHER_SERVER_API_KEY: key, CODETETHER_HOME: home },
      });
      await expect(attempt).rejects.toMatchObject({ code: 'server_key_invalid' });
      const message = await attempt.catch((error: Error) => error.message);
      expect(message).toContain('CODETETHER_SERVER_API_KEY');
      expect(message).not.toContain(key);
    },
  );

  it('a key file holding two lines or a space: server_key_invalid naming the file', async () => {
    const home = await temporaryHome();
    await writeFile(join(home, SERVER_API_KEY_FILE_NAME), 'ctsk-first\nctsk-second\n', { mode: 0o600 });
    const attempt = loadOrCreateServerApiKey({ env: { CODETETHER_HOME: home } });
    await expect(attempt).rejects.toMatchObject({ code: 'server_key_invalid' });
    expect(await attempt.catch((error: Error) => error.message)).toContain(
      join(home, SERVER_API_KEY_FILE_NAME),
    );
  });

  it('a short key is accepted (as before) but called out loudly when the gateway is reachable', () => {
    expect(startUpWarnings('0.0.0.0', 'environment', 'abc').join('')).toContain('3 characters');
    expect(startUpWarnings('0.0.0.0', 'environment', 'x'.repeat(32)).join('')).not.toContain('characters');
    expect(startUpWarnings('127.0.0.1', 'environment', 'abc')).toEqual([]);
  });
});
