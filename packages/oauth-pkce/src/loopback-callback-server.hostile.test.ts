import { describe, expect, it } from 'vitest';
import {
  createTokenIssuer,
  openRawConnection,
  sendRawRequest,
  startTestBrowserLogin,
} from './__fixtures__/callback-client.js';

const UPGRADE_REQUEST =
  'GET /auth/callback HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const CONNECT_REQUEST = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n';

/** The real browser's callback for `state`, which must still log in after whatever came before. */
async function completeWithRealCallback(callback: string, state: string): Promise<void> {
  const response = await fetch(`${callback}?code=the-code&state=${encodeURIComponent(state)}`);
  expect(response.status).toBe(200);
}

describe('the loopback callback server against hostile local clients', { timeout: 15_000 }, () => {
  it('neither tunnels, hangs on nor crashes for an Upgrade: websocket or a CONNECT request', async () => {
    const issuer = createTokenIssuer();
    const { login, state, port, callback } = await startTestBrowserLogin({ fetch: issuer.fetch });
    // Answered as plain HTTP (or dropped by older Node versions), never switched to another protocol.
    const upgradeAnswer = await sendRawRequest(port, UPGRADE_REQUEST);
    expect(upgradeAnswer).not.toMatch(/^HTTP\/1\.1 101/);
    const connectAnswer = await sendRawRequest(port, CONNECT_REQUEST);
    expect(connectAnswer).not.toMatch(/^HTTP\/1\.1 200/);
    expect(issuer.requests).toHaveLength(0);
    await completeWithRealCallback(callback, state);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
  });

  it('survives clients that reset the connection (TCP RST) mid-request, after a request, an upgrade or a CONNECT', async () => {
    const issuer = createTokenIssuer();
    const { login, state, port, callback } = await startTestBrowserLogin({ fetch: issuer.fetch });
    const resets = await Promise.all([
      openRawConnection(port, 'GET /auth/callback?state=x HTTP/1.1\r\nHost: localhost\r\n', 'reset'),
      openRawConnection(port, 'GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\n\r\n', 'reset'),
      openRawConnection(port, 'GET /auth/callback?code=c HTTP/1.1\r\nHost: localhost\r\n\r\n', 'reset'),
      openRawConnection(port, UPGRADE_REQUEST, 'reset'),
      openRawConnection(port, CONNECT_REQUEST, 'reset'),
      openRawConnection(
        port,
        'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9999\r\n\r\nab',
        'reset',
      ),
    ]);
    await Promise.all(resets.map((connection) => connection.closed));
    expect(issuer.requests).toHaveLength(0);
    await completeWithRealCallback(callback, state);
    // The login settles only once the server closed, i.e. after it handled every reset connection.
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
  });

  it('does not let slow (slowloris) connections delay the real callback, and drops them when the login ends', async () => {
    const issuer = createTokenIssuer();
    const { login, state, port, callback } = await startTestBrowserLogin({ fetch: issuer.fetch });
    const held = await Promise.all([
      openRawConnection(port, '', 'keep-open'),
      openRawConnection(
        port,
        `GET /auth/callback?code=slow&state=${state} HTTP/1.1\r\nHost: local`,
        'keep-open',
      ),
      openRawConnection(
        port,
        'POST /auth/callback HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\nab',
        'keep-open',
      ),
      openRawConnection(port, 'GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', 'keep-open'),
    ]);
    await completeWithRealCallback(callback, state);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
    // Every held connection was closed by the login's end (their promises settle only on close).
    await Promise.all(held.map((connection) => connection.closed));
    expect(issuer.requests).toHaveLength(1);
    expect(issuer.requests[0]?.fields.code).toBe('the-code');
  });

  it('gives a page from another origin (DNS rebinding) nothing: no state, no CORS, no exchange', async () => {
    const issuer = createTokenIssuer();
    const { login, state, port, callback } = await startTestBrowserLogin({ fetch: issuer.fetch });
    const rebound = await sendRawRequest(
      port,
      'GET /auth/callback?code=attacker-code&error=access_denied HTTP/1.1\r\nHost: evil.example:1455\r\n' +
        'Origin: http://evil.example:1455\r\n\r\n',
    );
    expect(rebound).toMatch(/^HTTP\/1\.1 400/);
    expect(rebound.toLowerCase()).not.toContain('access-control-allow-origin');
    expect(rebound).not.toContain(state);
    expect(issuer.requests).toHaveLength(0);
    await completeWithRealCallback(callback, state);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
  });

  it('exchanges exactly one of several concurrent callbacks with this state; the others get 409', async () => {
    let release: () => void = () => {};
    const issuer = createTokenIssuer(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    const { login, state, callback } = await startTestBrowserLogin({ fetch: issuer.fetch });
    const answers = Array.from({ length: 8 }, (_unused, index) =>
      fetch(`${callback}?code=code-${index}&state=${encodeURIComponent(state)}`).then(
        (response) => response.status,
      ),
    );
    // Seven of the eight are answered while the first one's exchange is held.
    const settled: number[] = [];
    await new Promise<void>((resolve) => {
      for (const answer of answers) {
        void answer.then((status) => {
          settled.push(status);
          if (settled.length === 7) resolve();
        });
      }
    });
    expect(settled).toEqual(Array.from({ length: 7 }, () => 409));
    expect(issuer.requests).toHaveLength(1);
    release();
    expect((await Promise.all(answers)).filter((status) => status === 200)).toHaveLength(1);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
    expect(issuer.requests).toHaveLength(1);
  });

  it('refuses a callback arriving after the login ended instead of exchanging it', async () => {
    const issuer = createTokenIssuer();
    const { login, state, callback } = await startTestBrowserLogin({ fetch: issuer.fetch });
    await completeWithRealCallback(callback, state);
    await expect(login).resolves.toMatchObject({ refreshToken: 'rt-1' });
    await expect(fetch(`${callback}?code=late&state=${encodeURIComponent(state)}`)).rejects.toThrow();
    expect(issuer.requests).toHaveLength(1);
  });
});
