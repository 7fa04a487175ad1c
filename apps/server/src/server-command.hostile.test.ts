import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayEnvironment, runServerCli, startGatewayProcess } from './__fixtures__/gateway-process.js';
import { GatewayListenError, gatewayListenError } from './gateway-listen-error.js';
import { parseServerArguments, ServerUsageError } from './server-command.js';
import { startUpWarnings } from './start-up-warnings.js';

/** The usage error `parseServerArguments` throws for these arguments and this environment. */
function usageError(argv: readonly string[], env: Record<string, string> = {}): ServerUsageError {
  try {
    parseServerArguments(argv, env);
  } catch (error) {
    if (error instanceof ServerUsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${JSON.stringify(argv)} ${JSON.stringify(env)}`);
}

describe('codetether-server: every bad setting is a usage error, never a silent default', () => {
  it.each([
    ['--port', '1', '--port', '2'],
    ['--host', '127.0.0.1', '--host', '0.0.0.0'],
    ['--max-connections', '5', '--max-connections', '6'],
    ['--model-map', 'a=b', '--model-map=c=d'],
  ])('refuses a flag given twice with different values (%s)', (...argv) => {
    expect(usageError(argv).message).toContain(`${argv[0]} is given more than once, with different values`);
  });

  it('accepts a flag repeated with the same value (nothing to choose between)', () => {
    expect(
      parseServerArguments(['--require-key', '--require-key', '--port', '9', '--port', '9'], {}),
    ).toMatchObject({
      requireKey: true,
      port: 9,
    });
  });

  it.each(['', ' ', '1e3', '0x10', '-1', '1.5', 'NaN', 'Infinity', '99999999999999'])(
    'refuses --shutdown-grace-ms %j',
    (value) => {
      expect(usageError(['--shutdown-grace-ms', value]).message).toContain('--shutdown-grace-ms');
    },
  );

  it('accepts --shutdown-grace-ms 0 (end streams at once)', () => {
    expect(parseServerArguments(['--shutdown-grace-ms', '0'], {})).toMatchObject({ shutdownGraceMs: 0 });
  });

  it.each([
    ['--max-conversations', '1e3'],
    ['--max-conversations', '0x10'],
    ['--max-conversations', ' '],
    ['--max-conversations', '1e300'],
    ['--conversation-max-age-ms', '2e3'],
    ['--conversation-max-age-ms', '0'],
  ])('refuses %s %j', (flag, value) => {
    expect(usageError([flag, value]).message).toContain(flag);
  });

  it.each([
    ['--keep-alive-timeout-ms', '2147483648'],
    ['--headers-timeout-ms', '9007199254740991'],
    ['--request-timeout-ms', '99999999999'],
  ])('refuses a timeout Node cannot wait for (%s %s: it would fire after 1 ms)', (flag, value) => {
    expect(usageError([flag, value]).message).toMatch(/at most 2147483647/);
  });

  it('refuses a host that is no address or name, and accepts a bracketed IPv6 literal', () => {
    expect(usageError(['--host', 'garbage host']).message).toContain(
      "--host must be an IP address or a host name, got 'garbage host'",
    );
    expect(usageError(['--host', 'http://127.0.0.1']).message).toContain('--host');
    expect(usageError([], { CODETETHER_SERVER_HOST: 'a\u001b[2Jb' }).message).toContain(
      'CODETETHER_SERVER_HOST',
    );
    expect(parseServerArguments(['--host', '[::1]'], {})).toMatchObject({ host: '::1' });
    expect(parseServerArguments(['--host', '::1'], {})).toMatchObject({ host: '::1' });
    expect(parseServerArguments(['--host', 'gateway.lan'], {})).toMatchObject({ host: 'gateway.lan' });
  });

  it.each([
    ['--allowed-hosts', 'gateway.lan:8787'],
    ['--allowed-hosts', 'http://gateway.lan'],
    ['--allowed-hosts', 'a b'],
    ['--allowed-origins', 'localhost:3000'],
    ['--allowed-origins', 'http://localhost:3000/app'],
    ['--allowed-origins', 'http://'],
  ])('refuses %s %j, which no request could ever match', (flag, value) => {
    expect(usageError([flag, value]).message).toContain(`${flag}: '${value}'`);
  });

  it('accepts host names, addresses, * and origins as browsers send them', () => {
    expect(
      parseServerArguments(
        [
          '--allowed-hosts',
          'gateway.lan, 10.0.0.5,[::1],*',
          '--allowed-origins',
          'http://localhost:3000/,https://app.example.com,chrome-extension://abcdef,*',
        ],
        {},
      ),
    ).toMatchObject({
      allowedHosts: ['gateway.lan', '10.0.0.5', '[::1]', '*'],
      allowedOrigins: ['http://localhost:3000/', 'https://app.example.com', 'chrome-extension://abcdef', '*'],
    });
    expect(usageError([], { CODETETHER_SERVER_ALLOWED_ORIGINS: 'example.com' }).message).toContain(
      'CODETETHER_SERVER_ALLOWED_ORIGINS',
    );
  });

  it('refuses an unknown CODETETHER_LOG_LEVEL, naming the levels', () => {
    expect(usageError([], { CODETETHER_LOG_LEVEL: 'loud' }).message).toBe(
      "CODETETHER_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'.",
    );
    expect(() => parseServerArguments([], { CODETETHER_LOG_LEVEL: 'DEBUG' })).not.toThrow();
  });
});

describe('listen failures as typed errors saying what to do', () => {
  const systemError = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

  it.each([
    ['EADDRINUSE', 'address_in_use', 'already in use'],
    ['EACCES', 'permission_denied', 'ports below 1024 need extra rights'],
    ['EADDRNOTAVAIL', 'address_unavailable', 'not an address of this machine'],
    ['ENOTFOUND', 'host_not_found', 'does not resolve'],
    ['EINVAL', 'listen_failed', 'listen EINVAL'],
  ])('%s → %s', (systemCode, code, text) => {
    const error = gatewayListenError(systemError(systemCode), '127.0.0.1', 80);
    expect(error).toBeInstanceOf(GatewayListenError);
    expect(error).toMatchObject({ code, host: '127.0.0.1', port: 80 });
    expect(error.message).toContain(text);
    expect((error.cause as { code: string }).code).toBe(systemCode);
  });
});

describe('codetether-server: a loud warning when bound beyond loopback', () => {
  it('says on stderr that the address is reachable from the network, and a generated key is new', () => {
    const generated = startUpWarnings('0.0.0.0', 'generated').join('');
    expect(generated).toContain('WARNING');
    expect(generated).toContain('0.0.0.0');
    expect(generated).toContain('--require-key');
    expect(startUpWarnings('::', 'file').join('')).toContain('WARNING');
    expect(startUpWarnings('127.0.0.1', 'generated')).toEqual([]);
    expect(startUpWarnings('::1', 'environment')).toEqual([]);
  });
});

const children: ChildProcess[] = [];
const blockers: Array<Server | HttpServer> = [];
const homes: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(
    blockers.splice(0).map(
      (server) =>
        new Promise((done) => {
          server.close(done);
          if ('closeAllConnections' in server) server.closeAllConnections();
        }),
    ),
  );
  await Promise.all(homes.splice(0).map((home) => rm(home, { recursive: true, force: true })));
});

async function childEnvironment(): Promise<Record<string, string>> {
  const home = await mkdtemp(join(tmpdir(), 'codetether-srvcfg-'));
  homes.push(home);
  return gatewayEnvironment({ CODETETHER_HOME: home, OPENAI_API_KEY: 'sk-srvcfg' });
}

/** Resolves once the child's stderr (as `read` returns it) contains `text`: waits for output, not for time. */
function stderrContaining(child: ChildProcess, read: () => string, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!read().includes(text)) return;
      child.stderr?.off('data', check);
      resolve();
    };
    child.stderr?.on('data', check);
    check();
  });
}

describe('codetether-server as a process', () => {
  it('exits 1 with one clear line when the port is taken, before saying it listens', async () => {
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;
    const env = await childEnvironment();
    const result = await runServerCli(env, ['--port', String(port)]);
    expect(result.code).toBe(1);
    // The key generated before listening failed is not lost: it is stored, and said where, never shown.
    const keyPath = join(env.CODETETHER_HOME ?? '', 'server-api-key');
    const key = (await readFile(keyPath, 'utf8')).trim();
    expect(result.stderr).toContain(`a server key was generated and stored in ${keyPath}`);
    expect(result.stderr + result.stdout).not.toContain(key);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('--port');
    expect(result.stderr).not.toContain('listening on');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a repeated flag, before listening', async () => {
    const result = await runServerCli(await childEnvironment(), ['--port', '0', '--port', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port is given more than once, with different values');
  });

  it('says at start-up, loudly, that the client key file cannot be read (and still serves its own key)', async () => {
    const env = await childEnvironment();
    const keyFile = join(env.CODETETHER_HOME ?? '', 'client-keys.json');
    await writeFile(keyFile, '{"keys": [', { mode: 0o600 });
    const gateway = await startGatewayProcess({ ...env, CODETETHER_SERVER_API_KEY: 'ctsk-own-key' });
    children.push(gateway.child);
    await stderrContaining(gateway.child, gateway.stderr, 'WARNING: the client keys');
    expect(gateway.stderr()).toContain(
      `WARNING: the client keys cannot be read: The client key file ${keyFile} is not valid JSON`,
    );
    const models = await fetch(`${gateway.url}/healthz`);
    expect(models.status).toBe(200);
  });

  it('a second signal while open requests finish exits at once with code 1', async () => {
    // An upstream that takes every request and never answers: the gateway's request stays open.
    let requestArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      requestArrived = resolve;
    });
    const upstream = createHttpServer((incoming) => {
      // The chat request's upstream call (a POST); anything else would not hold the shutdown.
      if (incoming.method === 'POST') requestArrived();
    });
    blockers.push(upstream);
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
    const upstreamPort = (upstream.address() as { port: number }).port;
    const gateway = await startGatewayProcess(
      {
        ...(await childEnvironment()),
        CODETETHER_SERVER_API_KEY: 'ctsk-signals',
        CODETETHER_OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
        CODETETHER_TRANSPORT: 'http',
      },
      ['--shutdown-grace-ms', '600000'],
    );
    children.push(gateway.child);
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      gateway.child.once('exit', (code, signal) => done({ code, signal })),
    );
    const pending = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer ctsk-signals', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }] }),
    }).catch(() => undefined);
    await arrived;
    gateway.child.kill('SIGTERM');
    await stderrContaining(gateway.child, gateway.stderr, 'SIGTERM received');
    gateway.child.kill('SIGINT');
    expect(await exited).toEqual({ code: 1, signal: null });
    expect(gateway.stderr()).toContain('SIGINT again, exiting now.');
    await pending;
  });

  it('shuts down gracefully on SIGHUP (a closed terminal), exit code 0', async () => {
    const gateway = await startGatewayProcess(await childEnvironment());
    children.push(gateway.child);
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      gateway.child.once('exit', (code, signal) => done({ code, signal })),
    );
    gateway.child.kill('SIGHUP');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(gateway.stderr()).toContain('SIGHUP received');
  });
});
