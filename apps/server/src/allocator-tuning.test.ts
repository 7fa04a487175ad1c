import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { collectOutput, gatewayEnvironment, SERVER_CLI_PATH } from './__fixtures__/gateway-process.js';
import {
  type RestartableProcess,
  restartWithTunedAllocator,
  TUNED_ALLOCATOR_ENVIRONMENT,
  tunedAllocatorEnvironment,
} from './allocator-tuning.js';

describe('tunedAllocatorEnvironment', () => {
  it('adds the tuned settings to the environment on Linux when the gateway starts', () => {
    expect(
      tunedAllocatorEnvironment({ HOME: '/home/a', UNSET: undefined }, 'linux', ['--port', '0']),
    ).toEqual({
      HOME: '/home/a',
      MALLOC_ARENA_MAX: '1',
      MALLOC_TRIM_THRESHOLD_: '131072',
    });
  });

  it("keeps the user's own allocator settings (and so never restarts twice)", () => {
    expect(tunedAllocatorEnvironment({ MALLOC_ARENA_MAX: '8' }, 'linux', [])).toBeUndefined();
    expect(tunedAllocatorEnvironment({ MALLOC_TRIM_THRESHOLD_: '0' }, 'linux', [])).toBeUndefined();
    expect(
      tunedAllocatorEnvironment({ ...TUNED_ALLOCATOR_ENVIRONMENT }, 'linux', ['--port', '0']),
    ).toBeUndefined();
  });

  it('does nothing for a process with an IPC channel to its parent (it would not survive)', () => {
    expect(tunedAllocatorEnvironment({ NODE_CHANNEL_FD: '3' }, 'linux', [])).toBeUndefined();
  });

  it('does nothing under a debugger (a break at start would come twice)', () => {
    expect(tunedAllocatorEnvironment({}, 'linux', [], ['--inspect-brk=9229'])).toBeUndefined();
    expect(
      tunedAllocatorEnvironment({ NODE_OPTIONS: '--max-old-space-size=512 --inspect' }, 'linux', []),
    ).toBeUndefined();
    expect(tunedAllocatorEnvironment({}, 'linux', [], ['--enable-source-maps'])).toBeDefined();
  });

  it('does nothing on other platforms, for help and version, or for keys commands', () => {
    expect(tunedAllocatorEnvironment({}, 'darwin', [])).toBeUndefined();
    expect(tunedAllocatorEnvironment({}, 'win32', [])).toBeUndefined();
    for (const argv of [['--help'], ['-h'], ['--version'], ['-V'], ['keys', 'list']]) {
      expect(tunedAllocatorEnvironment({}, 'linux', argv)).toBeUndefined();
    }
  });
});

type Execve = NonNullable<RestartableProcess['execve']>;

function fakeProcess(overrides: Partial<RestartableProcess>): RestartableProcess {
  return {
    platform: 'linux',
    env: { PATH: '/usr/bin' },
    execPath: '/usr/bin/node',
    execArgv: ['--enable-source-maps'],
    argv: ['/usr/bin/node', '/opt/codetether-server/dist/cli.js', '--port', '8787'],
    ...overrides,
  };
}

describe('restartWithTunedAllocator', () => {
  it('replaces the process with the same Node options and arguments and the tuned environment', () => {
    const execve = vi.fn();
    restartWithTunedAllocator(fakeProcess({ execve: execve as unknown as Execve }));
    expect(execve).toHaveBeenCalledWith(
      '/usr/bin/node',
      ['/usr/bin/node', '--enable-source-maps', '/opt/codetether-server/dist/cli.js', '--port', '8787'],
      { PATH: '/usr/bin', MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '131072' },
    );
  });

  it('runs on as is when Node has no execve, when execve is refused, or when there is nothing to do', () => {
    expect(restartWithTunedAllocator(fakeProcess({}))).toBe(false);
    const refused = vi.fn(() => {
      throw Object.assign(new Error('execve failed'), { code: 'EPERM' });
    });
    expect(restartWithTunedAllocator(fakeProcess({ execve: refused as unknown as Execve }))).toBe(false);
    const unused = vi.fn();
    restartWithTunedAllocator(
      fakeProcess({ env: { MALLOC_ARENA_MAX: '2' }, execve: unused as unknown as Execve }),
    );
    expect(unused).not.toHaveBeenCalled();
  });
});

/** Runs the built command with a preload that reports, in each process image, its PID and MALLOC_ARENA_MAX. */
function runReporting(env: Record<string, string>, args: readonly string[]) {
  const report =
    "const env = process.env; process.stderr.write(['image', process.pid, env.MALLOC_ARENA_MAX, env.MALLOC_TRIM_THRESHOLD_].map(String).join(' ') + '\\n')";
  const child = spawn(
    process.execPath,
    [`--import=data:text/javascript,${encodeURIComponent(report)}`, SERVER_CLI_PATH, ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = collectOutput(child);
  return new Promise<{ code: number | null; images: string[][] }>((resolve) =>
    child.once('close', (code) =>
      resolve({
        code,
        images: output
          .stderr()
          .split('\n')
          .filter((line) => line.startsWith('image '))
          .map((line) => line.split(' ').slice(1)),
      }),
    ),
  );
}

const canRestart = process.platform === 'linux' && typeof process.execve === 'function';

describe.runIf(canRestart)('codetether-server restarts itself with the tuned allocator', () => {
  /** A gateway child's environment (see gatewayEnvironment) without allocator settings of the test's own. */
  const baseEnvironment = (): Record<string, string> =>
    Object.fromEntries(
      Object.entries(gatewayEnvironment({})).filter(([name]) => !name.startsWith('MALLOC_')),
    );

  it('once, keeping its PID, its Node options and its arguments', async () => {
    // An invalid port: the command gets as far as reading its arguments (after the restart), then exits 2.
    const { code, images } = await runReporting(baseEnvironment(), ['--port', 'not-a-port']);
    expect(code).toBe(2);
    expect(images).toHaveLength(2);
    const [first, second] = images as [string[], string[]];
    expect(first.slice(1)).toEqual(['undefined', 'undefined']);
    expect(second).toEqual([first[0], '1', '131072']);
  });

  it('not when the user set the allocator, nor to print the version', async () => {
    const own = await runReporting({ ...baseEnvironment(), MALLOC_ARENA_MAX: '4' }, ['--port', 'not-a-port']);
    expect(own.images.map((image) => image[1])).toEqual(['4']);
    const version = await runReporting(baseEnvironment(), ['--version']);
    expect(version.code).toBe(0);
    expect(version.images).toHaveLength(1);
  });
});
