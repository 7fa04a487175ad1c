import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from './__fixtures__/emulator-environment.js';
import { checkHomeFolder } from './doctor/local-checks.js';
import { findPseudoFilesystem } from './home-filesystem.js';

const fixture = useEmulatorEnvironment({ emulator: { scenario: 'echo' } });

const onLinux = process.platform === 'linux';
const PROC_HOME = '/proc/codetether-home-test';
const HOME_REFUSED =
  /^error: The CodeTether home \/proc\/codetether-home-test is on proc, a kernel pseudo-filesystem where no files can be stored\.$/m;

describe('findPseudoFilesystem', () => {
  it.runIf(onLinux)(
    'names the pseudo-filesystem of a home that does not exist yet, from its nearest folder',
    async () => {
      expect(await findPseudoFilesystem(PROC_HOME)).toBe('proc');
      expect(await findPseudoFilesystem('/proc/self')).toBe('proc');
      expect(await findPseudoFilesystem('/proc/self/status/below-a-file')).toBe('proc');
      expect(await findPseudoFilesystem('/sys/codetether')).toBe('sysfs');
    },
  );

  it('finds none for a regular folder, or on another platform', async () => {
    expect(await findPseudoFilesystem(join(tmpdir(), 'codetether-missing', 'home'))).toBeUndefined();
    const statfs = async () => ({ type: 0x9fa0 });
    expect(await findPseudoFilesystem('/proc/x', { platform: 'darwin', statfs })).toBeUndefined();
    expect(await findPseudoFilesystem('/anything', { platform: 'linux', statfs })).toBe('proc');
  });

  it('walks up past missing folders and gives up quietly on other errors', async () => {
    const asked: string[] = [];
    const statfs = async (path: string) => {
      asked.push(path);
      if (path === '/a') return { type: 0x62656572 };
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    };
    expect(await findPseudoFilesystem('/a/b/c', { platform: 'linux', statfs })).toBe('sysfs');
    expect(asked).toEqual(['/a/b/c', '/a/b', '/a']);
    const denied = async () => {
      throw Object.assign(new Error('denied'), { code: 'EACCES' });
    };
    expect(await findPseudoFilesystem('/a', { platform: 'linux', statfs: denied })).toBeUndefined();
  });
});

describe.runIf(onLinux)('a CODETETHER_HOME on a pseudo-filesystem', () => {
  const environment = () => ({ ...fixture.environment.env, CODETETHER_HOME: PROC_HOME });

  // Node.js loops forever in a recursive mkdir below /proc: before the check, this test timed out.
  it('is refused early by auth login --with-api-key (exit 2) instead of hanging', async () => {
    const result = await runCli(
      ['auth', 'login', '--with-api-key'],
      environment(),
      'sk-test-0123456789abcdefghijklmnop\n',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(HOME_REFUSED);
    expect(result.stderr).toContain('→ Set CODETETHER_HOME to a folder on a regular filesystem');
    expect(result.stdout).toBe('');
  }, 20_000);

  it.each([[['auth', 'status']], [['chat', 'Hello']], [['usage']]])(
    'is refused by %j with exit 2',
    async (args) => {
      const result = await runCli(args, { ...environment(), OPENAI_API_KEY: 'sk-test-key' });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(HOME_REFUSED);
    },
    20_000,
  );

  it('is a failed check in doctor, not "does not exist yet"', async () => {
    const check = await checkHomeFolder(PROC_HOME);
    expect(check).toMatchObject({ status: 'fail' });
    expect(JSON.stringify(check)).toContain('is on proc, a kernel pseudo-filesystem');
  });
});
