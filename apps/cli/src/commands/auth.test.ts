import { mkdir, open, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ESCAPE_CODE, runCli, startCli, storeEmulatorLogin } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';

const fixture = useEmulatorEnvironment({
  emulator: { deviceCodeIntervalSeconds: 0, deviceCodePollsBeforeApproval: 1 },
});

/** Plays the browser: asks the authorize URL and returns where the issuer redirects. */
async function approve(authorizeUrl: string): Promise<string> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = response.headers.get('location');
  if (location === null) throw new Error('no redirect');
  return location;
}

describe('codetether auth login', () => {
  it('logs in with the browser flow through the loopback callback', async () => {
    const login = startCli(['auth', 'login', '--no-open', '--port', '0'], fixture.environment.env);
    const [authorizeUrl] = await login.waitFor(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    const callback = new URL(await approve(authorizeUrl));
    callback.hostname = '127.0.0.1';
    const page = await fetch(callback);
    expect(page.status).toBe(200);
    const result = await login.exited;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Open this URL in your browser');
    expect(result.stdout).toContain('Logged in as user@example.com (plan plus, account 6f1c2b1e…c0de)');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(ESCAPE_CODE);
    const file = await stat(join(fixture.environment.home, 'auth.json'));
    expect(file.mode & 0o777).toBe(0o600);
  });

  it('cancels the browser login with Ctrl-C (exit 130) and stores nothing', async () => {
    const login = startCli(['auth', 'login', '--no-open', '--port', '0'], fixture.environment.env);
    await login.waitFor(/Waiting for the browser to finish signing in… \S+( \S+)? left/);
    login.child.kill('SIGINT');
    const result = await login.exited;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('error: Login cancelled.');
    await expect(stat(join(fixture.environment.home, 'auth.json'))).rejects.toThrow();
  });

  it('logs in with a device code, showing the code and the URL', async () => {
    const result = await runCli(['auth', 'login', '--device-code'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${fixture.emulator.issuerUrl}/codex/device`);
    expect(result.stderr).toMatch(/enter this code:\n\n\s+\S{4,}/);
    expect(result.stdout).toContain('Logged in as user@example.com');
  });

  it('logs in with the paste flow, reading the redirect URL from piped stdin', async () => {
    const login = startCli(['auth', 'login', '--no-browser'], fixture.environment.env);
    const [authorizeUrl] = await login.waitFor(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    expect(authorizeUrl).toContain(encodeURIComponent('http://localhost:1455/auth/callback'));
    login.child.stdin.end(`${await approve(authorizeUrl)}\n`);
    const result = await login.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged in as user@example.com');
  });

  it('fails with exit 2 when nothing is pasted and exit 1 when the login is denied', async () => {
    const nothing = await runCli(['auth', 'login', '--no-browser'], fixture.environment.env, '');
    expect(nothing.code).toBe(2);
    // The question's line is ended before the error, which starts on a line of its own.
    expect(nothing.stderr).toMatch(/Redirect URL or code: \nerror: Nothing was pasted/);

    const denied = startCli(['auth', 'login', '--no-browser'], fixture.environment.env);
    const [authorizeUrl] = await denied.waitFor(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    fixture.emulator.setOptions({ denyAuthorization: true });
    try {
      denied.child.stdin.end(`${await approve(authorizeUrl)}\n`);
      const result = await denied.exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: The login was not approved/m);
      expect(result.stderr).not.toContain('    at ');
    } finally {
      fixture.emulator.setOptions({ denyAuthorization: false });
    }
  });
});

describe('codetether auth status', () => {
  it('exits 3 with the login command when nobody is logged in', async () => {
    const result = await runCli(['auth', 'status'], fixture.environment.env);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('codetether auth login');

    const json = await runCli(['auth', 'status', '--json'], fixture.environment.env);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ loggedIn: false, mode: 'none', apiKeySet: false });

    // A damaged credentials file: still one JSON object for scripts, saying why.
    await mkdir(fixture.environment.home, { recursive: true });
    await writeFile(join(fixture.environment.home, 'auth.json'), '{damaged');
    const damaged = await runCli(['auth', 'status', '--json'], fixture.environment.env);
    expect(damaged.code).toBe(3);
    expect(JSON.parse(damaged.stdout)).toMatchObject({
      loggedIn: false,
      credentialsError: expect.stringContaining('not valid JSON'),
    });
  });

  it('shows the ChatGPT login without printing a token', async () => {
    const { accessToken } = await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    const result = await runCli(['auth', 'status'], {
      ...fixture.environment.env,
      OPENAI_API_KEY: 'sk-test-hidden',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged in with ChatGPT');
    expect(result.stdout).toContain('user@example.com');
    expect(result.stdout).toMatch(/Plan\s+plus/);
    expect(result.stdout).toMatch(/Account\s+6f1c2b1e…c0de/);
    expect(result.stdout).toMatch(/Token\s+expires in (\d+h )?\d+m/);
    expect(result.stdout).toContain(join(fixture.environment.home, 'auth.json'));
    expect(result.stdout).toContain('OPENAI_API_KEY is set');
    expect(result.stdout).not.toContain(accessToken);
    expect(result.stdout).not.toContain('sk-test-hidden');

    const json = await runCli(['auth', 'status', '--json'], fixture.environment.env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      loggedIn: true,
      mode: 'chatgpt',
      email: 'user@example.com',
      planType: 'plus',
      accountId: '6f1c2b1e-0000-4000-8000-00000000c0de',
      tokenExpired: false,
      source: 'login',
      credentialsPath: join(fixture.environment.home, 'auth.json'),
      backendUrl: fixture.emulator.chatgptBaseUrl,
    });
    expect(json.stdout).not.toContain(accessToken);
  });

  it('shows API-key mode when only OPENAI_API_KEY is set', async () => {
    const result = await runCli(['auth', 'status'], {
      ...fixture.environment.env,
      OPENAI_API_KEY: 'sk-test-hidden',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('API-key mode');
    expect(result.stdout).toContain(fixture.emulator.openaiBaseUrl);
    expect(result.stdout).not.toContain('sk-test-hidden');
  });
});

describe('codetether auth logout', () => {
  it('revokes and removes the login, then says there is nothing to remove', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    fixture.emulator.clearRequests();
    const result = await runCli(['auth', 'logout'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged out');
    await expect(stat(join(fixture.environment.home, 'auth.json'))).rejects.toThrow();
    expect(fixture.emulator.requests.some((request) => request.path === '/oauth/revoke')).toBe(true);

    const again = await runCli(['auth', 'logout'], fixture.environment.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('You were not logged in');
    const status = await runCli(['auth', 'status'], fixture.environment.env);
    expect(status.code).toBe(3);
  });
});

describe('codetether auth import-codex', () => {
  it('copies the Codex CLI login and warns that refreshing logs the Codex CLI out', async () => {
    const issued = fixture.emulator.issueTokens();
    const codexHome = join(fixture.environment.folder, 'codex');
    await mkdir(codexHome, { recursive: true });
    await writeFile(
      join(codexHome, 'auth.json'),
      JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: {
          id_token: issued.idToken,
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          account_id: issued.accountId,
        },
        last_refresh: new Date().toISOString(),
      }),
    );
    const result = await runCli(['auth', 'import-codex'], {
      ...fixture.environment.env,
      CODEX_HOME: codexHome,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Imported the Codex CLI login of user@example.com');
    expect(result.stderr).toContain('the Codex CLI is logged out');
    const status = await runCli(['auth', 'status', '--json'], fixture.environment.env);
    expect(JSON.parse(status.stdout)).toMatchObject({ loggedIn: true, source: 'codex-cli-import' });
  });

  it('explains what to do when the Codex CLI login is missing or damaged (exit 1)', async () => {
    const result = await runCli(
      ['auth', 'import-codex', '--codex-home', join(fixture.environment.folder, 'missing')],
      fixture.environment.env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No Codex CLI login was found');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);

    // A damaged Codex CLI file is a failed import too (exit 1, not "not logged in").
    const damaged = join(fixture.environment.folder, 'damaged');
    await mkdir(damaged, { recursive: true });
    await writeFile(join(damaged, 'auth.json'), '{not json');
    const corrupt = await runCli(['auth', 'import-codex', '--codex-home', damaged], fixture.environment.env);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^error: The Codex CLI login at .* is not valid JSON/);
    expect(corrupt.stderr).not.toContain('    at ');

    // One over 1 MiB is refused unread: a failed import too (exit 1), saying what to do.
    const huge = join(fixture.environment.folder, 'huge');
    await mkdir(huge, { recursive: true });
    const handle = await open(join(huge, 'auth.json'), 'w');
    await handle.truncate(8 * 1024 ** 3);
    await handle.close();
    const tooLarge = await runCli(['auth', 'import-codex', '--codex-home', huge], fixture.environment.env);
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.stderr).toMatch(
      /^error: The Codex CLI login .*auth\.json is too large \(over the limit of 1 MiB \(1048576 bytes\)\)/,
    );
  });
});

describe('codetether auth status with an auth.json over 1 MiB', () => {
  it('is reported like any other unreadable credentials file (same exit code), naming the file and the limit', async () => {
    const path = join(fixture.environment.home, 'auth.json');
    await mkdir(fixture.environment.home, { recursive: true, mode: 0o700 });
    await symlink(join(fixture.environment.folder, 'elsewhere.json'), path);
    const linked = await runCli(['auth', 'status'], fixture.environment.env);
    expect(linked.stderr).toContain('symbolic link');
    await unlink(path);
    const handle = await open(path, 'w', 0o600);
    await handle.truncate(8 * 1024 ** 3);
    await handle.close();
    const tooLarge = await runCli(['auth', 'status'], fixture.environment.env);
    expect(tooLarge.code).toBe(linked.code);
    expect(tooLarge.stderr).toContain(`The credentials file ${path} is too large (over the limit of 1 MiB`);
    expect(tooLarge.stderr).toContain('Move it away, then run `codetether auth login`');
  });
});
