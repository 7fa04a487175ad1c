import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { createFakeGateway } from './__fixtures__/fake-gateway.js';
import { runKeysInProcess } from './__fixtures__/keys-command-run.js';
import { CLIENT_KEYS_FILE_NAME, createFileClientKeyStore } from './client-key-store.js';
import { readClientKeyUsage } from './client-key-usage-file.js';
import { parseKeysArguments } from './keys-command.js';
import { ServerUsageError } from './server-usage-error.js';

const ANSWER: StreamChunk[] = [
  { type: 'text', text: 'Hello' },
  { type: 'done', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } },
];

async function temporaryHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'codetether-keys-'));
}

async function runKeys(home: string, ...argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr, error } = await runKeysInProcess(home, ...argv);
  if (error !== undefined) throw error;
  return { stdout, stderr };
}

describe('parseKeysArguments', () => {
  it('reads create, list and revoke, and refuses mistakes', () => {
    expect(parseKeysArguments(['create', 'laptop', '--profile', 'work'])).toEqual({
      action: 'create',
      name: 'laptop',
      profile: 'work',
    });
    expect(parseKeysArguments(['list'])).toEqual({ action: 'list' });
    expect(parseKeysArguments(['revoke', 'laptop'])).toEqual({ action: 'revoke', name: 'laptop' });
    expect(parseKeysArguments([])).toEqual({ action: 'help' });
    expect(() => parseKeysArguments(['create'])).toThrow(ServerUsageError);
    expect(() => parseKeysArguments(['rename', 'x'])).toThrow(ServerUsageError);
    expect(() => parseKeysArguments(['revoke', 'x', '--profile', 'p'])).toThrow(ServerUsageError);
  });
});

describe('codetether-server keys', () => {
  it('creates a key (printed once on stdout), lists it without the secret, revokes it', async () => {
    const home = await temporaryHome();
    const created = await runKeys(home, 'create', 'laptop', '--profile', 'work');
    const key = created.stdout.trim();
    expect(key).toMatch(/^ctsk-[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).not.toContain(key);
    const file = join(home, CLIENT_KEYS_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = await readFile(file, 'utf8');
    expect(stored).not.toContain(key);
    expect(stored).toContain('"profile": "work"');
    const listed = await runKeys(home, 'list');
    expect(listed.stdout).toMatch(/laptop\s+work\s+\S+\s+0\s+0/);
    expect(listed.stdout + listed.stderr).not.toContain(key);
    await expect(runKeys(home, 'create', 'laptop')).rejects.toMatchObject({ code: 'client_key_exists' });
    await expect(runKeys(home, 'create', 'server')).rejects.toMatchObject({
      code: 'client_key_name_invalid',
    });
    await runKeys(home, 'revoke', 'laptop');
    expect((await runKeys(home, 'list')).stdout).toBe('');
    await expect(runKeys(home, 'revoke', 'laptop')).rejects.toMatchObject({ code: 'client_key_not_found' });
  });

  it('works as a subprocess of the built bin', async () => {
    const home = await temporaryHome();
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
    const run = (...argv: string[]) =>
      spawnSync(process.execPath, [bin, 'keys', ...argv], {
        env: { ...process.env, CODETETHER_HOME: home },
        encoding: 'utf8',
      });
    const created = run('create', 'ci');
    expect(created.status).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^ctsk-/);
    expect(run('list').stdout).toContain('ci');
    expect(run('revoke', 'ci').status).toBe(0);
    const usage = run('create');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('needs a NAME');
  });
});

describe('the gateway with client keys', () => {
  it('accepts created keys and the gateway key, refuses a revoked key at once, counts per key', async () => {
    const home = await temporaryHome();
    const store = createFileClientKeyStore({ home });
    const laptop = (await store.create('laptop')).key;
    const phone = (await store.create('phone')).key;
    const { call, gateway, lines } = createFakeGateway(ANSWER, { clientKeys: { store, usageHome: home } });
    const chat = { model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }] };
    expect((await call('/v1/chat/completions', { json: chat, key: laptop })).status).toBe(200);
    expect((await call('/v1/chat/completions', { json: chat, key: phone })).status).toBe(200);
    expect((await call('/v1/models')).status).toBe(200);

    await store.revoke('phone');
    const refused = await call('/v1/models', { key: phone });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect((await call('/v1/models', { key: laptop })).status).toBe(200);

    const metrics = await (await call('/metrics')).text();
    expect(metrics).toContain('codetether_server_key_requests_total{key="laptop"} 2');
    expect(metrics).toContain('codetether_server_key_requests_total{key="server"} 1');
    expect(metrics).toContain('codetether_server_key_tokens_total{key="phone",kind="completion"} 5');
    for (const secret of [laptop, phone]) {
      expect(metrics).not.toContain(secret);
      expect(lines.join('')).not.toContain(secret);
    }
    await gateway.flushKeyUsage();
    const usage = await readClientKeyUsage(home);
    expect(usage?.keys.laptop).toEqual({ requests: 2, tokens: 15 });
    expect((await stat(join(home, 'client-key-usage.json'))).mode & 0o777).toBe(0o600);
  });
});
