import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAuthorizeUrl } from './authorize-url.js';
import { type BrowserOpener, openInDefaultBrowser } from './browser-opener.js';
import {
  CALLBACK_PATH,
  CODEX_CLIENT_ID,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_ISSUER,
  DEFAULT_LOGIN_TIMEOUT_MS,
  loopbackRedirectUri,
} from './constants.js';
import { OAuthError } from './errors.js';
import { renderCallbackPage } from './html-page.js';
import { abortedError, type FetchFunction } from './http-request.js';
import type { OAuthTokens } from './oauth-tokens.js';
import { createPkcePair, createState } from './pkce.js';
import { exchangeCodeForTokens } from './token-endpoint.js';

/** Options of {@link loginWithBrowser}. */
export interface BrowserLoginOptions {
  /** The issuer base URL. Default `https://auth.openai.com`. */
  issuer?: string;
  /** The OAuth client id. Default: the Codex CLI's. */
  clientId?: string;
  /** Loopback port for the callback. Default 1455 (the only one the real issuer accepts); 0 picks a free port. */
  port?: number;
  /** Loopback address to bind. Default `127.0.0.1`; non-loopback addresses are refused. */
  host?: '127.0.0.1' | '::1';
  /** `true` (default) opens the default browser with `open`; `false` only reports the URL; a function opens it itself. */
  openBrowser?: boolean | BrowserOpener;
  /** Always called with the authorize URL (print it: the browser may not open). Default: prints to stderr. */
  onAuthorizeUrl?: (url: string) => void;
  /** Called when opening the browser failed; the URL was still given to `onAuthorizeUrl`. */
  onBrowserOpenError?: (error: unknown) => void;
  /** How long to wait for the browser to come back. Default 5 minutes. */
  timeoutMs?: number;
  /** Cancels the login (→ `aborted`). */
  signal?: AbortSignal;
  /** `fetch` for the token exchange. */
  fetch?: FetchFunction;
  /** Clock for token expiry. Default `Date.now`. */
  now?: () => number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1']);

function portInUseMessage(host: string, port: number): string {
  return [
    `Port ${port} on ${host} is already in use, so CodeTether cannot receive the login callback (another login, or the Codex CLI, may be running).`,
    'Close the other program and try again, or log in another way:',
    '  codetether auth login --device-code    (enter a code in any browser)',
    '  codetether auth login --no-browser     (paste the final localhost:1455 URL from your browser)',
    '  codetether auth login --port <port>    (only for test/emulator issuers; auth.openai.com accepts only port 1455)',
    `On a remote machine over SSH, forward the port from your computer: ssh -L ${port}:localhost:${port} <host>`,
  ].join('\n');
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new OAuthError('port-in-use', portInUseMessage(host, port), { cause: error }));
      } else {
        reject(
          new OAuthError(
            'callback-server-error',
            `Could not start the login callback server on ${host}:${port} (${error.code ?? error.message}). Try \`codetether auth login --device-code\` instead.`,
            { cause: error },
          ),
        );
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Sends a page and resolves once it is written, or once the browser went away (a closed tab or a dropped
 * connection must never leave the login waiting for a write that cannot finish).
 */
function sendPage(response: ServerResponse, status: number, title: string, message: string): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed || response.writableEnded) {
      resolve();
      return;
    }
    response.once('close', () => resolve());
    response.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    });
    response.end(renderCallbackPage(title, message), () => resolve());
  });
}

function sendPlain(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  response.end(text);
}

/** The request's URL, or undefined when the request target cannot be parsed. */
function parseRequestUrl(request: IncomingMessage): URL | undefined {
  try {
    return new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function defaultOnAuthorizeUrl(url: string): void {
  process.stderr.write(`Open this URL in your browser to log in to ChatGPT:\n\n  ${url}\n\n`);
}

/**
 * Logs in with the browser: starts a loopback server on `127.0.0.1:1455` (by default), opens the authorize
 * URL, checks the returned `state`, exchanges the code and resolves with the tokens. The server always
 * closes itself, on success, failure, timeout and abort.
 *
 * Errors: `port-in-use`, `state-mismatch` (no token request is made), `access-denied`, `login-timeout`,
 * `aborted`, and the token endpoint's errors.
 *
 * @param options - issuer, port, browser opener, URL callback, timeout, signal and fetch
 */
export async function loginWithBrowser(options: BrowserLoginOptions = {}): Promise<OAuthTokens> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new OAuthError(
      'callback-server-error',
      `The login callback server only binds loopback addresses (127.0.0.1 or ::1), not ${String(host)}.`,
    );
  }
  const { signal } = options;
  if (signal?.aborted) throw abortedError('the browser login', signal.reason);
  const requestedPort = options.port ?? DEFAULT_CALLBACK_PORT;
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const clientId = options.clientId ?? CODEX_CLIENT_ID;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  const pkce = await createPkcePair();
  const state = createState();

  // Imported here, not at the top: importing `node:http` as an ES module loads Node's bundled undici
  // (its WebSocket exports), which every program importing this package would otherwise pay for.
  const { createServer } = await import('node:http');
  const server = createServer();
  server.keepAliveTimeout = 1000;
  server.requestTimeout = 30_000;
  const port = await listen(server, requestedPort, host);
  const redirectUri = loopbackRedirectUri(port);
  const authorizeUrl = buildAuthorizeUrl({ issuer, clientId, redirectUri, challenge: pkce.challenge, state });

  return new Promise<OAuthTokens>((resolve, reject) => {
    let settled = false;
    let callbackReceived = false;
    const finish = (outcome: { tokens: OAuthTokens } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void closeServer(server).then(() => {
        if ('tokens' in outcome) resolve(outcome.tokens);
        else reject(outcome.error);
      });
    };
    const onAbort = () => finish({ error: abortedError('the browser login', signal?.reason) });
    const timer = setTimeout(() => {
      if (callbackReceived) return;
      finish({
        error: new OAuthError(
          'login-timeout',
          `The browser login timed out after ${Math.round(timeoutMs / 1000)} s without the browser coming back to ${redirectUri}. Run \`codetether auth login\` again; if the browser is on another machine, use \`--device-code\` or \`--no-browser\`.`,
        ),
      });
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    const handle = async (request: IncomingMessage, response: ServerResponse) => {
      // Anything that is not a GET of the callback path (favicon requests, probes, malformed or hostile
      // requests) gets a plain answer and leaves the login waiting.
      const url = parseRequestUrl(request);
      if (url === undefined) {
        sendPlain(response, 400, 'Bad request');
        return;
      }
      if (url.pathname !== CALLBACK_PATH || request.method !== 'GET') {
        sendPlain(response, 404, 'Not found');
        return;
      }
      if (callbackReceived || settled) {
        await sendPage(
          response,
          409,
          'Login already handled',
          'This login has already been handled. You can close this tab.',
        );
        return;
      }
      const parameters = url.searchParams;
      const issuerErrorCode = parameters.get('error');
      const returnedState = parameters.get('state');
      // An error callback carrying another login's state is not this user's answer: treat it as a
      // state mismatch below. (Issuers that omit `state` on errors are still reported as a denial.)
      if (issuerErrorCode !== null && (returnedState === null || returnedState === state)) {
        callbackReceived = true;
        const description = parameters.get('error_description') ?? undefined;
        const detail = description ? `${issuerErrorCode}: ${description}` : issuerErrorCode;
        await sendPage(
          response,
          400,
          'Login was not completed',
          `The sign-in page answered: ${detail}. Return to your terminal.`,
        );
        finish({
          error: new OAuthError(
            'access-denied',
            `The login was not approved (${detail}). Run \`codetether auth login\` again and approve the request.`,
            {
              issuerError:
                description === undefined
                  ? { error: issuerErrorCode }
                  : { error: issuerErrorCode, errorDescription: description },
            },
          ),
        });
        return;
      }
      if (returnedState !== state) {
        callbackReceived = true;
        await sendPage(
          response,
          400,
          'Login rejected: state mismatch',
          'This callback does not belong to the login CodeTether started, so it was ignored. Start the login again from your terminal.',
        );
        finish({
          error: new OAuthError(
            'state-mismatch',
            'The login callback carried a state value that does not match this login, so it was rejected (possible cross-site request forgery or a stale browser tab). Run `codetether auth login` again.',
          ),
        });
        return;
      }
      const code = parameters.get('code');
      if (code === null || code === '') {
        callbackReceived = true;
        await sendPage(
          response,
          400,
          'Login failed',
          'The callback carried no authorization code. Start the login again from your terminal.',
        );
        finish({
          error: new OAuthError(
            'invalid-callback',
            'The login callback carried no authorization code. Run `codetether auth login` again.',
          ),
        });
        return;
      }
      callbackReceived = true;
      try {
        const tokens = await exchangeCodeForTokens({
          issuer,
          clientId,
          code,
          codeVerifier: pkce.verifier,
          redirectUri,
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          ...(signal === undefined ? {} : { signal }),
          ...(options.now === undefined ? {} : { now: options.now }),
        });
        await sendPage(
          response,
          200,
          'Signed in to CodeTether',
          'You are logged in with ChatGPT. You can close this tab and return to your terminal.',
        );
        finish({ tokens });
      } catch (error) {
        const message = error instanceof Error ? error.message : 'The login failed.';
        await sendPage(response, 500, 'Login failed', message);
        finish({ error });
      }
    };

    server.on('request', (request, response) => {
      handle(request, response).catch((error: unknown) => {
        sendPlain(response, 500, 'Internal error');
        finish({
          error:
            error instanceof OAuthError
              ? error
              : new OAuthError(
                  'callback-server-error',
                  'The login callback server failed while handling the browser callback. Run `codetether auth login` again, or use `--device-code`.',
                  { cause: error },
                ),
        });
      });
    });
    // Malformed HTTP (oversized headers, garbage) is answered by Node and never reaches `handle`.
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });

    try {
      (options.onAuthorizeUrl ?? defaultOnAuthorizeUrl)(authorizeUrl);
    } catch (error) {
      finish({ error });
      return;
    }
    const opener = options.openBrowser ?? true;
    if (opener !== false) {
      const open: BrowserOpener = opener === true ? openInDefaultBrowser : opener;
      open(authorizeUrl).catch((error: unknown) => options.onBrowserOpenError?.(error));
    }
  });
}
