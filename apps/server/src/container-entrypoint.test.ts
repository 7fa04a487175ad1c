// Runs the container image's own command lines — ENTRYPOINT + CMD and the HEALTHCHECK, parsed out of
// the repository's Dockerfile so they cannot drift — against the built server (`dist/`, the files the
// image's `pnpm deploy` copies to its WORKDIR), with a fresh CODETETHER_HOME and, when the tests run as
// root, as the unprivileged `nobody` user, like the image's `USER node`. No Docker needed.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { freePort } from '../../../scripts/testing/free-port.js';
import { readComposeService, readContainerImage } from './__fixtures__/container-image.js';
import { collectOutput } from './__fixtures__/gateway-process.js';
import { SERVER_API_KEY_FILE_NAME } from './server-api-key.js';
import { DEFAULT_PORT } from './start-gateway-server.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The image's WORKDIR holds the deployed `@codetether/server` package: here, this package. */
const serverPackageRoot = fileURLToPath(new URL('../', import.meta.url));
const image = readContainerImage(join(repositoryRoot, 'Dockerfile'));
const imageCommand = [...image.entrypoint, ...image.command];

/** `nobody`: the tests run the image's commands unprivileged when they themselves run as root. */
const UNPRIVILEGED_ID = 65_534;
const runsAsRoot = process.getuid?.() === 0;

interface RunningCommand {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs an image command line: `node` is the image's Node 24, here the Node running the tests. */
function runImageCommand(argv: readonly string[], env: Record<string, string>): RunningCommand {
  const [executable = '', ...args] = argv;
  const child = spawn(executable === 'node' ? process.execPath : executable, args, {
    cwd: serverPackageRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runsAsRoot ? { uid: UNPRIVILEGED_ID, gid: UNPRIVILEGED_ID } : {}),
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, ...collectOutput(child), exited };
}

async function waitForOutput(command: RunningCommand, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(command.stderr());
    if (match !== null) return match[0];
    if (command.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${pattern} in the output.\nstdout: ${command.stdout()}\nstderr: ${command.stderr()}`);
}

async function userIdOf(child: ChildProcess): Promise<number | undefined> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => undefined);
  const uid = status === undefined ? undefined : /^Uid:\s+(\d+)/m.exec(status)?.[1];
  return uid === undefined ? undefined : Number(uid);
}

let home: string;
let port: number;
let running: RunningCommand[];

/** The image's environment, with a fresh CODETETHER_HOME and a free port instead of 8787. */
function containerEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...image.environment,
    CODETETHER_HOME: home,
    CODETETHER_SERVER_PORT: String(port),
    CODETETHER_LOG_LEVEL: 'warn',
    ...extra,
  };
}

function start(argv: readonly string[], env: Record<string, string>): RunningCommand {
  const command = runImageCommand(argv, env);
  running.push(command);
  return command;
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'codetether-container-home-'));
  if (runsAsRoot) await chown(home, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  port = await freePort('0.0.0.0');
  running = [];
});

afterEach(async () => {
  for (const command of running) {
    if (command.child.exitCode === null && command.child.signalCode === null) {
      command.child.kill('SIGKILL');
      await command.exited;
    }
  }
  await rm(home, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('declares what the documentation and the compose file rely on', () => {
    expect(imageCommand.slice(0, 2)).toEqual(['node', 'dist/cli.js']);
    expect(imageCommand).toContain('--require-key');
    expect(image.user).not.toMatch(/^(root|0)(:|$)/);
    expect(image.volumes).toEqual([image.environment.CODETETHER_HOME]);
    expect(image.exposedPorts).toEqual([DEFAULT_PORT]);
    expect(image.environment.CODETETHER_SERVER_PORT).toBe(String(DEFAULT_PORT));
    expect(image.healthcheck[0]).toBe('node');
  });

  it('is what compose.yaml runs: same health check, home volume, port published on loopback only', () => {
    const service = readComposeService(join(repositoryRoot, 'compose.yaml'), 'gateway');
    expect(service.healthcheck).toEqual(['CMD', ...image.healthcheck]);
    expect(service.ports).toEqual([`127.0.0.1:${DEFAULT_PORT}:${DEFAULT_PORT}`]);
    expect(service.volumes).toEqual([`codetether-home:${image.environment.CODETETHER_HOME}`]);
    expect(service.environment.CODETETHER_SERVER_API_KEY).toMatch(/^\$\{CODETETHER_SERVER_API_KEY:\?/);
  });
});

describe('examples/replicas (Redis + two gateway replicas + nginx)', () => {
  const folder = join(repositoryRoot, 'examples', 'replicas');
  const composePath = join(folder, 'compose.yaml');

  it('runs two replicas of this image on one Redis store, with the image’s health check', () => {
    const document = parseYaml(readFileSync(composePath, 'utf8')) as {
      services: Record<string, { build?: { context: string; dockerfile: string }; depends_on?: unknown }>;
    };
    for (const name of ['gateway-1', 'gateway-2']) {
      const service = readComposeService(composePath, name);
      expect(service.healthcheck).toEqual(['CMD', ...image.healthcheck]);
      expect(service.environment.CODETETHER_STORE).toMatch(
        /^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379\/0$/,
      );
      expect(service.environment.CODETETHER_SERVER_API_KEY).toMatch(/^\$\{CODETETHER_SERVER_API_KEY:\?/);
      const build = document.services[name]?.build;
      expect(build).toBeDefined();
      expect(existsSync(join(folder, build?.context ?? '', build?.dockerfile ?? ''))).toBe(true);
    }
    expect(Object.keys(document.services).sort()).toEqual([
      'gateway-1',
      'gateway-2',
      'load-balancer',
      'redis',
    ]);
  });

  it('balances over both replicas in nginx, with WebSocket upgrade and unbuffered streams', () => {
    const nginx = readFileSync(join(folder, 'nginx.conf'), 'utf8');
    expect(nginx).toMatch(/server gateway-1:8787/);
    expect(nginx).toMatch(/server gateway-2:8787/);
    expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(nginx).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(nginx).toMatch(/proxy_buffering off;/);
  });
});

describe('the container command', () => {
  it('refuses to start without a configured key, and generates none', async () => {
    const command = start(imageCommand, containerEnvironment());
    expect(await command.exited).toBe(1);
    expect(command.stderr()).toContain('No server key is configured');
    expect(command.stderr()).toContain('CODETETHER_SERVER_API_KEY');
    expect(command.stderr()).not.toContain('listening');
    expect(await readdir(home)).toEqual([]);
  }, 20_000);

  it('with CODETETHER_SERVER_API_KEY listens on every interface, passes its health check, stops on SIGTERM', async () => {
    const env = containerEnvironment({ CODETETHER_SERVER_API_KEY: 'ctsk-container-test' });
    const command = start(imageCommand, env);
    await waitForOutput(command, new RegExp(`listening on http://0\\.0\\.0\\.0:${port} `));
    if (runsAsRoot) expect(await userIdOf(command.child)).toBe(UNPRIVILEGED_ID);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(401);
    expect(await readdir(home)).toEqual([]);

    const healthcheck = start(image.healthcheck, env);
    expect(await healthcheck.exited).toBe(0);

    command.child.kill('SIGTERM');
    expect(await command.exited).toBe(0);
    const failingHealthcheck = start(image.healthcheck, env);
    expect(await failingHealthcheck.exited).toBe(1);
  }, 30_000);

  it('takes --host appended after the image name (docker run … codetether-server --host 127.0.0.1)', async () => {
    const env = containerEnvironment({ CODETETHER_SERVER_API_KEY: 'ctsk-container-host' });
    const command = start([...imageCommand, '--host', '127.0.0.1'], env);
    await waitForOutput(command, new RegExp(`listening on http://127\\.0\\.0\\.1:${port} `));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    command.child.kill('SIGTERM');
    expect(await command.exited).toBe(0);
  }, 30_000);

  it('with a key stored in CODETETHER_HOME listens on every interface and uses that key', async () => {
    const keyFile = join(home, SERVER_API_KEY_FILE_NAME);
    await writeFile(keyFile, 'ctsk-stored-key\n', { mode: 0o600 });
    if (runsAsRoot) await chown(keyFile, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
    const command = start(imageCommand, containerEnvironment());
    await waitForOutput(command, new RegExp(`listening on http://0\\.0\\.0\\.0:${port} `));
    // The banner's lines may arrive in more than one chunk: wait for the one naming the key file.
    await waitForOutput(command, /with the key from /);
    expect(command.stderr()).toContain(`with the key from ${keyFile}`);
    // stdout carries only the JSON log lines; the banner went to stderr.
    for (const line of command
      .stdout()
      .split('\n')
      .filter((text) => text !== '')) {
      expect(() => JSON.parse(line), line).not.toThrow();
    }
    const wrongKey = await fetch(`http://127.0.0.1:${port}/v1/models`, {
      headers: { authorization: 'Bearer ctsk-other' },
    });
    expect(wrongKey.status).toBe(401);
    const healthcheck = start(image.healthcheck, containerEnvironment());
    expect(await healthcheck.exited).toBe(0);
  }, 30_000);
});
