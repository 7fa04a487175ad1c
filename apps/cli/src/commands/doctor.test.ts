import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { createRedisCredentialStore } from '@codetether/credential-store-redis';
import { createFileCredentialStore } from '@codetether/oauth-pkce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  startTestRedisServer,
  type TestRedisServer,
} from '../../../../scripts/testing/redis-server.js';
import { createCapturedContext } from '../__fixtures__/captured-context.js';
import { emulatorLogin, runCli, storeEmulatorLogin } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';
import type { DoctorReport } from './doctor.js';
import { runDoctor } from './doctor.js';

const fixture = useEmulatorEnvironment({ loggedIn: true });

/**
 * Runs the doctor in-process once, as text or JSON (once: reading a login tightens its file mode and
 * refreshes an expired token, so a second run would see a different state).
 */
async function doctor(
  options: { env?: Record<string, string | undefined>; now?: () => number; json?: boolean } = {},
) {
  const captured = createCapturedContext(options.env ?? fixture.environment.env, options.now);
  const code = await runDoctor(captured.context, { json: options.json === true });
  const text = captured.stdout();
  const report = options.json === true ? (JSON.parse(text) as DoctorReport) : undefined;
  const byName = (name: string) => report?.checks.find((check) => check.name === name);
  return { code, text, report, byName };
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('codetether doctor', () => {
  it('is all green against the emulator with a ChatGPT login (and through the CLI)', async () => {
    const { code, report } = await doctor({ json: true });
    expect(code).toBe(0);
    expect(report?.ok).toBe(true);
    expect(report?.checks.map((check) => [check.name, check.status])).toEqual([
      ['Node.js', 'ok'],
      ['Home folder', 'ok'],
      ['Credential files', 'ok'],
      ['Config file', 'ok'],
      ['Credential store', 'ok'],
      ['Login', 'ok'],
      ['Reach OAuth issuer', 'ok'],
      ['Reach ChatGPT backend', 'ok'],
      ['Clock', 'ok'],
      ['WebSocket', 'ok'],
    ]);
    const { text } = await doctor();
    expect(text).toMatch(/^✔ Login\s+ChatGPT \(user@example\.com, plus\); token valid for (\d+h )?\d+m/m);
    expect(text).toMatch(
      /^✔ WebSocket\s+handshake with ws:\/\/127\.0\.0\.1:\d+\/backend-api\/codex\/responses accepted/m,
    );
    expect(text).not.toContain('✖');

    const cli = await runCli(['doctor', '--json'], fixture.environment.env);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true });
  });

  it('checks the profile --profile names: its files, its store location and its login', async () => {
    const { home } = fixture.environment;
    const { accessToken } = await storeEmulatorLogin(fixture.emulator, home, {
      profile: 'work',
      issue: { email: 'work@example.com', planType: 'pro' },
    });
    const work = await runCli(['doctor', '--json', '--profile', 'work'], fixture.environment.env);
    expect(work.code, work.stderr).toBe(0);
    const checks = (JSON.parse(work.stdout) as DoctorReport).checks;
    const byName = (name: string) => checks.find((check) => check.name === name);
    expect(byName('Credential files')?.detail).toBe('profiles/work/auth.json (mode 600)');
    expect(byName('Credential store')?.detail).toBe(`file ${home}/profiles/work/auth.json`);
    expect(byName('Login')?.detail).toMatch(/^ChatGPT \(work@example\.com, pro\); token valid for/);
    expect(work.stdout).not.toContain(accessToken);
    // A profile without a login: its files are none, and the login check fails with the fix.
    const empty = await doctor({
      env: { ...fixture.environment.env, CODETETHER_PROFILE: 'spare' },
      json: true,
    });
    expect(empty.code).toBe(1);
    expect(empty.byName('Credential files')?.detail).toBe('none stored for profile spare');
    expect(empty.byName('Login')).toMatchObject({ status: 'fail' });
  });

  it('fails (exit 1) with the fix when the backend is down', async () => {
    const env = {
      ...fixture.environment.env,
      CODETETHER_CHATGPT_BASE_URL: `http://127.0.0.1:${await closedPort()}/backend-api/codex`,
    };
    const { code, byName } = await doctor({ env, json: true });
    expect(code).toBe(1);
    expect(byName('Reach ChatGPT backend')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cannot be reached (ECONNREFUSED)'),
      fix: expect.stringContaining('CODETETHER_CHATGPT_BASE_URL'),
    });
    expect(byName('WebSocket')).toMatchObject({ status: 'fail' });
    const { text } = await doctor({ env });
    expect(text).toMatch(/^✖ Reach ChatGPT backend/m);
    expect(text).toMatch(/→ Check your network connection/);
  });

  it('fails when the home folder is open to others (0777) or a credential file is not 0600', async () => {
    const { home } = fixture.environment;
    await chmod(home, 0o777);
    const open = await doctor({ json: true });
    expect(open.code).toBe(1);
    expect(open.byName('Home folder')).toMatchObject({ status: 'fail', fix: `chmod 700 ${home}` });
    expect(open.byName('Home folder')?.detail).toContain('mode 777, should be 700');
    await chmod(home, 0o700);
    await chmod(createFileCredentialStore({ home }).location, 0o644);
    const readable = await doctor({ json: true });
    expect(readable.byName('Credential files')).toMatchObject({
      status: 'fail',
      fix: `chmod 600 ${createFileCredentialStore({ home }).location}`,
    });
  });

  it('refreshes an expired token, and fails when the login cannot be refreshed', async () => {
    const { home } = fixture.environment;
    const store = createFileCredentialStore({ home });
    const issued = fixture.emulator.issueTokens({ expiresInSeconds: -60 });
    const write = (refreshToken: string) =>
      store.write(emulatorLogin({ ...issued, refreshToken }, Date.now() - 3_600_000));
    await write(issued.refreshToken);
    const refreshed = await doctor({ json: true });
    expect(refreshed.byName('Login')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('token had expired and was refreshed'),
    });

    await store.delete();
    await write('refresh-token-the-issuer-never-issued');
    const expired = await doctor({ json: true });
    expect(expired.code).toBe(1);
    expect(expired.byName('Login')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('has expired and could not be refreshed'),
      fix: 'Run `codetether auth login` to sign in again.',
    });
    expect(expired.byName('WebSocket')).toMatchObject({ status: 'skip' });
    expect(expired.text).not.toContain(issued.accessToken);
  });

  it('fails when the clock is off by more than two minutes (injected clock)', async () => {
    const ahead = await doctor({ now: () => Date.now() + 10 * 60 * 1000, json: true });
    expect(ahead.code).toBe(1);
    expect(ahead.byName('Clock')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/clock is 6\d\d s ahead of the server's/),
      fix: expect.stringContaining('time sync'),
    });
  });

  it('reports a bad config file as a failed check instead of refusing to run', async () => {
    await mkdir(fixture.environment.home, { recursive: true });
    await writeFile(`${fixture.environment.home}/config.json`, '{"transport": "pigeon"}', { mode: 0o600 });
    const cli = await runCli(['doctor'], fixture.environment.env);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/^✖ Config file\s+Bad value "pigeon" for 'transport'/m);
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
  });
});

describe.skipIf(!hasRedisServer)('codetether doctor with the login in Redis', () => {
  let redis: TestRedisServer;
  beforeAll(async () => {
    redis = await startTestRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('reads the login where CODETETHER_STORE keeps it: an expired one is reported as refreshed', async () => {
    const store = createRedisCredentialStore({ url: redis.url });
    const issued = fixture.emulator.issueTokens({ expiresInSeconds: -60 });
    try {
      await store.write(emulatorLogin(issued, Date.now() - 3_600_000));
    } finally {
      await store.close();
    }
    const { code, byName } = await doctor({
      env: { ...fixture.environment.env, CODETETHER_STORE: redis.url },
      json: true,
    });
    expect(byName('Login')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('token had expired and was refreshed'),
    });
    expect(code).toBe(0);
  });
});
