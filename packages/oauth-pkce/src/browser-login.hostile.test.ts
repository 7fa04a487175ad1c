import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  startTestBrowserLogin as start,
  createTokenIssuer as tokenIssuer,
} from './__fixtures__/callback-client.js';

/** Sends raw bytes to the callback server and resolves with whatever it answered before closing. */
function rawRequest(port: number, text: string, options: { hangUp?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (options.hangUp === true) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

describe('loginWithBrowser against hostile or sloppy callers', { timeout: 15_000 }, () => {
  it('survives malformed requests, huge queries, wrong paths, favicon and POST requests', async () => {
    const issuer = tokenIssuer();
    const { login, state, port, callback } = await start({ fetch: issuer.fetch });

    expect(await rawRequest(port, 'GET http://[broken HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400/,
    );
    expect(await rawRequest(port, 'NOT-HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    const huge = `GET /auth/callback?code=c&state=${'x'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    expect(await rawRequest(port, huge)).toMatch(/^HTTP\/1\.1 (431|400)/);
    expect((await fetch(`http://127.0.0.1:${port}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`${callback}/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${callback}?code=c&state=${state}`, { method: 'POST' })).status).toBe(404);
    expect(issuer.requests).toHaveLength(0);

    // The real callback still completes the login.
    const response = await fetch(`${callback}?code=the-code&state=${encodeURIComponent(state)}`);
    expect(response.status).toBe(200);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
    expect(issuer.requests).toHaveLength(1);
  });

  it('answers repeated callbacks with 409 and exchanges the code only once', async () => {
    let release: () => void = () => {};
    const exchangeHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    const issuer = tokenIssuer(exchangeHeld);
    const { login, state, callback } = await start({ fetch: issuer.fetch });
    const first = fetch(`${callback}?code=first&state=${state}`);
    // Wait until the first callback reached the token endpoint.
    while (issuer.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    for (let repeat = 0; repeat < 5; repeat++) {
      expect((await fetch(`${callback}?code=again-${repeat}&state=${state}`)).status).toBe(409);
    }
    release();
    expect((await first).status).toBe(200);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
    expect(issuer.requests).toHaveLength(1);
    expect(issuer.requests[0]?.fields.code).toBe('first');
  });

  const strayCallbacks: Array<[kind: string, query: string]> = [
    ['a bare GET /auth/callback', ''],
    ['a code without a state', '?code=stray-code'],
    ["another login's state", '?code=stray-code&state=not-this-login'],
    ['an empty state', '?code=stray-code&state='],
    ['error=access_denied without a state', '?error=access_denied&error_description=No'],
    ["error=access_denied with another login's state", '?error=access_denied&state=not-this-login'],
  ];

  for (const [kind, query] of strayCallbacks) {
    it(`answers ${kind} with 400, keeps waiting, and the real callback then logs in`, async () => {
      const issuer = tokenIssuer();
      const { login, state, callback } = await start({ fetch: issuer.fetch });
      const stray = await fetch(`${callback}${query}`);
      expect(stray.status).toBe(400);
      expect(await stray.text()).toContain('Not the callback of this login');
      expect(issuer.requests).toHaveLength(0);
      const real = await fetch(`${callback}?code=the-code&state=${encodeURIComponent(state)}`);
      expect(real.status).toBe(200);
      await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
      expect(issuer.requests).toHaveLength(1);
      expect(issuer.requests[0]?.fields.code).toBe('the-code');
    });
  }

  it('still times out after stray callbacks, saying they were ignored, and closes the server', async () => {
    const issuer = tokenIssuer();
    const { login, callback } = await start({ fetch: issuer.fetch, timeoutMs: 4000 });
    for (const [, query] of strayCallbacks) expect((await fetch(`${callback}${query}`)).status).toBe(400);
    const error = await login.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'login-timeout' });
    expect((error as Error).message).toContain(
      `${strayCallbacks.length} callbacks were ignored because they did not carry this login's state`,
    );
    expect((error as Error).message).toContain('codetether auth login');
    expect(issuer.requests).toHaveLength(0);
    await expect(fetch(callback)).rejects.toThrow();
  });

  it('ends the login as access-denied only for an error callback with this login state', async () => {
    const issuer = tokenIssuer();
    const { login, state, callback } = await start({ fetch: issuer.fetch });
    expect((await fetch(`${callback}?error=access_denied`)).status).toBe(400);
    const denied = await fetch(`${callback}?error=access_denied&state=${encodeURIComponent(state)}`);
    expect(denied.status).toBe(400);
    await expect(login).rejects.toMatchObject({ code: 'access-denied' });
    expect(issuer.requests).toHaveLength(0);
  });

  it('still completes when the browser hangs up before the success page is written', async () => {
    const issuer = tokenIssuer();
    const { login, state, port } = await start({ fetch: issuer.fetch });
    await rawRequest(
      port,
      `GET /auth/callback?code=c&state=${encodeURIComponent(state)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
      { hangUp: true },
    );
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
  });
});
