import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestBrowserLogin } from './__fixtures__/callback-client.js';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { createMockFetch, jsonResponse } from './__fixtures__/mock-fetch.js';
import { loginWithBrowser } from './browser-login.js';
import { OAuthError } from './errors.js';

const openMock = vi.hoisted(() => vi.fn());
vi.mock('open', () => ({ default: openMock }));

const servers: Server[] = [];

/** The local addresses of the sockets listening on `port`, read from the kernel's socket tables (Linux). */
async function listeningAddresses(port: number): Promise<string[]> {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      if (local === undefined || columns[3] !== '0A') continue; // 0A = LISTEN
      const [hexAddress = '', hexPort = ''] = local.split(':');
      if (Number.parseInt(hexPort, 16) !== port) continue;
      if (hexAddress.length === 8) {
        const bytes = hexAddress.match(/../g)?.map((byte) => Number.parseInt(byte, 16)) ?? [];
        addresses.push(bytes.reverse().join('.'));
      } else {
        addresses.push(hexAddress === '0'.repeat(32) ? '::' : `ipv6:${hexAddress}`);
      }
    }
  }
  return addresses;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function tokenIssuer() {
  return createMockFetch(() =>
    jsonResponse(200, {
      access_token: makeChatGptJwt(),
      refresh_token: 'rt-1',
      id_token: makeChatGptJwt(),
      expires_in: 3600,
    }),
  );
}

const start = startTestBrowserLogin;

async function expectClosed(callback: string): Promise<void> {
  await expect(fetch(callback)).rejects.toThrow();
}

describe('loginWithBrowser', { timeout: 10_000 }, () => {
  it('exchanges the code after a matching callback, shows a success page and closes the server', async () => {
    const issuer = tokenIssuer();
    const { login, redirectUri, state, callback, authorizeUrl } = await start({ fetch: issuer.fetch });
    expect(redirectUri).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const response = await fetch(`${callback}?code=the-code&state=${encodeURIComponent(state)}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Signed in to CodeTether');
    const tokens = await login;
    expect(tokens.refreshToken).toBe('rt-1');
    expect(issuer.requests).toHaveLength(1);
    expect(issuer.requests[0]?.fields).toMatchObject({ code: 'the-code', redirect_uri: redirectUri });
    expect(String(issuer.requests[0]?.fields.code_verifier)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expectClosed(callback);
  });

  it('answers a state mismatch with a 400 page, makes no token request and keeps waiting', async () => {
    const issuer = tokenIssuer();
    const { login, callback, state } = await start({ fetch: issuer.fetch });
    const response = await fetch(`${callback}?code=the-code&state=forged`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Not the callback of this login');
    expect(issuer.requests).toHaveLength(0);
    expect((await fetch(`${callback}?code=real-code&state=${encodeURIComponent(state)}`)).status).toBe(200);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
    expect(issuer.requests).toHaveLength(1);
    expect(issuer.requests[0]?.fields.code).toBe('real-code');
    await expectClosed(callback);
  });

  it('turns error= from the issuer into access-denied with the description', async () => {
    const issuer = tokenIssuer();
    const { login, callback, state } = await start({ fetch: issuer.fetch });
    const response = await fetch(
      `${callback}?error=access_denied&error_description=User+said+no&state=${state}`,
    );
    expect(response.status).toBe(400);
    const error = await login.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: 'access-denied',
      issuerError: { error: 'access_denied', errorDescription: 'User said no' },
    });
    expect((error as OAuthError).message).toContain('User said no');
    expect(issuer.requests).toHaveLength(0);
  });

  it('answers 404 to other paths and keeps waiting', async () => {
    const issuer = tokenIssuer();
    const { login, callback, state } = await start({ fetch: issuer.fetch });
    expect((await fetch(callback.replace('/auth/callback', '/favicon.ico'))).status).toBe(404);
    expect((await fetch(`${callback}?code=c&state=${state}`)).status).toBe(200);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
  });

  it('reports a missing code as invalid-callback', async () => {
    const { login, callback, state } = await start({ fetch: tokenIssuer().fetch });
    expect((await fetch(`${callback}?state=${state}`)).status).toBe(400);
    await expect(login).rejects.toMatchObject({ code: 'invalid-callback' });
  });

  it('shows the token endpoint failure in the browser and rejects with it', async () => {
    const issuer = createMockFetch(() =>
      jsonResponse(400, { error: 'invalid_grant', error_description: 'bad code' }),
    );
    const { login, callback, state } = await start({ fetch: issuer.fetch });
    const response = await fetch(`${callback}?code=c&state=${state}`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('invalid_grant');
    await expect(login).rejects.toMatchObject({ code: 'token-endpoint-error' });
  });

  it('times out with login-timeout and closes the server', async () => {
    const { login, callback } = await start({ timeoutMs: 50 });
    await expect(login).rejects.toMatchObject({ code: 'login-timeout' });
    await expectClosed(callback);
  });

  it('is cancelled by its AbortSignal', async () => {
    const controller = new AbortController();
    const { login, callback } = await start({ signal: controller.signal });
    controller.abort();
    await expect(login).rejects.toMatchObject({ code: 'aborted' });
    await expectClosed(callback);
    const aborted = AbortSignal.abort();
    await expect(
      loginWithBrowser({ port: 0, signal: aborted, openBrowser: false, onAuthorizeUrl: () => {} }),
    ).rejects.toMatchObject({
      code: 'aborted',
    });
  });

  it('reports a busy port as port-in-use with the alternatives and the ssh hint', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const onAuthorizeUrl = vi.fn();
    const error = await loginWithBrowser({ port, openBrowser: false, onAuthorizeUrl }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'port-in-use' });
    const message = (error as OAuthError).message;
    expect(message).toContain(`Port ${port}`);
    expect(message).toContain('--device-code');
    expect(message).toContain('--no-browser');
    expect(message).toContain('--port');
    expect(message).toContain(`ssh -L ${port}:localhost:${port}`);
    expect(onAuthorizeUrl).not.toHaveBeenCalled();
  });

  it('binds 127.0.0.1 only, never 0.0.0.0', async () => {
    const issuer = tokenIssuer();
    const { login, callback, state } = await start({ fetch: issuer.fetch });
    const port = Number(new URL(callback).port);
    if (process.platform === 'linux') expect(await listeningAddresses(port)).toEqual(['127.0.0.1']);
    await fetch(`${callback}?code=c&state=${state}`);
    await login;
  });

  it('uses port 1455 by default (a busy 1455 is reported with the ssh -L 1455 hint)', async () => {
    const blocker = createServer();
    servers.push(blocker);
    // Hold 127.0.0.1:1455 ourselves; if something else already holds it, the outcome is the same.
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(1455, '127.0.0.1', resolve);
    });
    const error = await loginWithBrowser({ openBrowser: false, onAuthorizeUrl: () => {} }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'port-in-use' });
    expect((error as OAuthError).message).toContain('Port 1455 on 127.0.0.1 is already in use');
    expect((error as OAuthError).message).toContain('ssh -L 1455:localhost:1455');
  });

  it('opens the browser with the open package and still prints the URL', async () => {
    openMock.mockReset();
    openMock.mockResolvedValue({ on: () => {}, unref: () => {} });
    const printed = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const issuer = tokenIssuer();
      // No onAuthorizeUrl: the default prints the URL to stderr; openBrowser defaults to the open package.
      const login = loginWithBrowser({ issuer: 'http://127.0.0.1:9', port: 0, fetch: issuer.fetch });
      await vi.waitFor(() => expect(openMock).toHaveBeenCalledTimes(1), { timeout: 10_000 });
      const announced = String(openMock.mock.calls[0]?.[0]);
      expect(printed.mock.calls.map((call) => String(call[0])).join('')).toContain(announced);
      const authorizeUrl = new URL(announced);
      const callback = (authorizeUrl.searchParams.get('redirect_uri') ?? '').replace(
        'localhost',
        '127.0.0.1',
      );
      await fetch(`${callback}?code=c&state=${authorizeUrl.searchParams.get('state')}`);
      await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
    } finally {
      printed.mockRestore();
    }
  });

  it('still prints the URL when the browser cannot be opened', async () => {
    openMock.mockReset();
    openMock.mockRejectedValue(new Error('xdg-open not found'));
    const announced: string[] = [];
    const openErrors: unknown[] = [];
    const controller = new AbortController();
    const login = loginWithBrowser({
      issuer: 'http://127.0.0.1:9',
      port: 0,
      signal: controller.signal,
      onAuthorizeUrl: (url) => announced.push(url),
      onBrowserOpenError: (error) => openErrors.push(error),
    });
    login.catch(() => {});
    await vi.waitFor(() => expect(openErrors).toHaveLength(1), { timeout: 10_000 });
    expect(announced).toHaveLength(1);
    expect(openMock).toHaveBeenCalledWith(announced[0], expect.anything());
    controller.abort();
    await expect(login).rejects.toMatchObject({ code: 'aborted' });
  });

  it('refuses non-loopback hosts', async () => {
    await expect(
      loginWithBrowser({
        port: 0,
        host: '0.0.0.0' as '127.0.0.1',
        openBrowser: false,
        onAuthorizeUrl: () => {},
      }),
    ).rejects.toMatchObject({ code: 'callback-server-error' });
  });

  it('gives the URL to onAuthorizeUrl and to an injected opener, and survives an opener failure', async () => {
    const opened: string[] = [];
    const openerErrors: unknown[] = [];
    const issuer = tokenIssuer();
    const { login, authorizeUrl, callback, state } = await start({
      fetch: issuer.fetch,
      openBrowser: async (url) => {
        opened.push(url);
        throw new Error('no display');
      },
      onBrowserOpenError: (error) => openerErrors.push(error),
    });
    await fetch(`${callback}?code=c&state=${state}`);
    await login;
    expect(opened).toEqual([authorizeUrl.toString()]);
    expect(openerErrors).toHaveLength(1);
  });
});
