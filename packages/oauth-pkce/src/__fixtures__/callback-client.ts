import { connect, type Socket } from 'node:net';
import { type BrowserLoginOptions, loginWithBrowser } from '../browser-login.js';
import { makeChatGptJwt } from './jwt.js';
import { createMockFetch, jsonResponse } from './mock-fetch.js';

/** How {@link sendRawRequest} leaves the connection once its bytes are written. */
export type RawRequestEnding = 'wait-for-answer' | 'reset' | 'keep-open';

/** A raw connection to the callback server: what it answered, and a promise settled once it closed. */
export interface RawConnection {
  socket: Socket;
  /** Resolves with everything the server wrote, once the connection closed (or failed). */
  closed: Promise<string>;
}

/**
 * Writes `text` to the callback server over a raw TCP connection. `reset` aborts the connection with a
 * TCP RST right after writing (a client that crashed); `keep-open` leaves it open (a slow client).
 *
 * @param port - the callback server's port
 * @param text - the bytes to send
 * @param ending - what the client does after writing
 */
export function openRawConnection(
  port: number,
  text: string,
  ending: RawRequestEnding,
): Promise<RawConnection> {
  return new Promise((resolveOpened) => {
    let answer = '';
    let resolveClosed: (answer: string) => void = () => {};
    const closed = new Promise<string>((resolve) => {
      resolveClosed = resolve;
    });
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text, () => {
        if (ending === 'reset') socket.resetAndDestroy();
        resolveOpened({ socket, closed });
      });
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolveClosed(answer));
    socket.on('error', () => resolveClosed(answer));
  });
}

/**
 * Sends raw bytes and resolves with the whole answer once the server closed the connection.
 *
 * @param port - the callback server's port
 * @param text - the bytes to send
 */
export async function sendRawRequest(port: number, text: string): Promise<string> {
  const connection = await openRawConnection(port, text, 'wait-for-answer');
  return connection.closed;
}

/**
 * A token endpoint answering every exchange with fresh tokens (refresh token `rt-1`).
 *
 * @param held - when given, every answer waits for it (to hold an exchange in flight)
 */
export function createTokenIssuer(held?: Promise<void>) {
  return createMockFetch(async () => {
    await held;
    return jsonResponse(200, {
      access_token: makeChatGptJwt(),
      refresh_token: 'rt-1',
      id_token: makeChatGptJwt(),
      expires_in: 3600,
    });
  });
}

/**
 * Starts a browser login on a free port without opening a browser; resolves once its authorize URL is
 * announced, with the login, its authorize URL, redirect URI and `state`, the port and the callback URL.
 *
 * @param options - overrides of the login options
 */
export async function startTestBrowserLogin(options: Partial<BrowserLoginOptions> = {}) {
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const login = loginWithBrowser({
    issuer: 'http://127.0.0.1:9',
    port: 0,
    openBrowser: false,
    onAuthorizeUrl: (url) => announce(url),
    ...options,
  });
  login.catch(() => {});
  const authorizeUrl = new URL(await announced);
  const redirectUri = authorizeUrl.searchParams.get('redirect_uri') ?? '';
  const state = authorizeUrl.searchParams.get('state') ?? '';
  const port = Number(new URL(redirectUri).port);
  // The server binds 127.0.0.1 only; the redirect URI says localhost, as the issuer expects.
  return {
    login,
    authorizeUrl,
    redirectUri,
    state,
    port,
    callback: `http://127.0.0.1:${port}/auth/callback`,
  };
}
