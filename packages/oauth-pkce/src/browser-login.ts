import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildAuthorizeUrl } from './authorize-url.js';
import { type BrowserOpener, openInDefaultBrowser } from './browser-opener.js';
import { sendCallbackReply, sendPlain } from './callback-reply.js';
import { classifyCallbackRequest, exchangeFailedReply, SIGNED_IN_REPLY } from './callback-request.js';
import {
  CODEX_CLIENT_ID,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_ISSUER,
  DEFAULT_LOGIN_TIMEOUT_MS,
  loopbackRedirectUri,
} from './constants.js';
import { describeDuration } from './duration-text.js';
import { OAuthError } from './errors.js';
import { abortedError, type FetchFunction } from './http-request.js';
import { type LoopbackCallbackServer, startLoopbackCallbackServer } from './loopback-callback-server.js';
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

function defaultOnAuthorizeUrl(url: string): void {
  process.stderr.write(`Open this URL in your browser to log in to ChatGPT:\n\n  ${url}\n\n`);
}

/** How a pending login ends. */
type LoginOutcome = { tokens: OAuthTokens } | { error: unknown };

/** A login waiting for its callback, as the request handler sees it. */
interface PendingLogin {
  /** The `state` on the authorize URL. */
  readonly state: string;
  /** True once a callback was received or the login ended. */
  isAlreadyHandled(): boolean;
  /** Marks that the callback arrived (the login timeout no longer applies). */
  markCallbackReceived(): void;
  /** Notes a callback that did not carry this login's `state` (ignored; mentioned if the login times out). */
  noteForeignCallback(): void;
  /** Exchanges the callback's code for tokens. */
  exchange(code: string): Promise<OAuthTokens>;
  /** Ends the login (the first call wins). */
  finish(outcome: LoginOutcome): void;
}

/** Answers one request to the loopback server and, for the login's callback, ends the login. */
async function handleCallbackRequest(
  request: IncomingMessage,
  response: ServerResponse,
  login: PendingLogin,
): Promise<void> {
  const outcome = classifyCallbackRequest(
    { method: request.method, target: request.url },
    { state: login.state, alreadyHandled: login.isAlreadyHandled() },
  );
  if (outcome.kind === 'ignore') {
    if (outcome.foreignCallback === true) login.noteForeignCallback();
    await sendCallbackReply(response, outcome.reply);
    return;
  }
  login.markCallbackReceived();
  if (outcome.kind === 'reject') {
    await sendCallbackReply(response, outcome.reply);
    login.finish({ error: outcome.error });
    return;
  }
  try {
    const tokens = await login.exchange(outcome.code);
    await sendCallbackReply(response, SIGNED_IN_REPLY);
    login.finish({ tokens });
  } catch (error) {
    await sendCallbackReply(response, exchangeFailedReply(error));
    login.finish({ error });
  }
}

/** Reports the authorize URL (a throwing reporter fails the login) and opens the browser unless told not to. */
function announceAuthorizeUrl(authorizeUrl: string, options: BrowserLoginOptions): void {
  (options.onAuthorizeUrl ?? defaultOnAuthorizeUrl)(authorizeUrl);
  const opener = options.openBrowser ?? true;
  if (opener !== false) {
    const open: BrowserOpener = opener === true ? openInDefaultBrowser : opener;
    open(authorizeUrl).catch((error: unknown) => options.onBrowserOpenError?.(error));
  }
}

/** The `login-timeout` error, mentioning the stray callbacks that were ignored meanwhile. */
function loginTimeoutError(timeoutMs: number, redirectUri: string, foreignCallbacks: number): OAuthError {
  const ignored =
    foreignCallbacks === 0
      ? ''
      : ` ${foreignCallbacks === 1 ? 'One callback was' : `${foreignCallbacks} callbacks were`} ignored because ${foreignCallbacks === 1 ? 'it' : 'they'} did not carry this login's state (an old browser tab, or another login).`;
  return new OAuthError(
    'login-timeout',
    `The browser login timed out after ${describeDuration(timeoutMs)} without the browser coming back to ${redirectUri}.${ignored} Run \`codetether auth login\` again; if the browser is on another machine, use \`--device-code\` or \`--no-browser\`.`,
  );
}

/** What {@link waitForCallback} needs. */
interface CallbackWait {
  server: LoopbackCallbackServer;
  state: string;
  redirectUri: string;
  authorizeUrl: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  exchange(code: string): Promise<OAuthTokens>;
}

/**
 * Serves callback requests until the login ends: with the tokens, the callback's error, a timeout
 * (only while no callback of this login arrived; stray ones are answered and ignored) or an abort.
 * The server is closed before the promise settles.
 */
function waitForCallback(wait: CallbackWait, options: BrowserLoginOptions): Promise<OAuthTokens> {
  const { server, signal, timeoutMs } = wait;
  return new Promise<OAuthTokens>((resolve, reject) => {
    let settled = false;
    let callbackReceived = false;
    let foreignCallbacks = 0;
    const finish = (outcome: LoginOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void server.close().then(() => {
        if ('tokens' in outcome) resolve(outcome.tokens);
        else reject(outcome.error);
      });
    };
    const onAbort = () => finish({ error: abortedError('the browser login', signal?.reason) });
    const timer = setTimeout(() => {
      if (callbackReceived) return;
      finish({ error: loginTimeoutError(timeoutMs, wait.redirectUri, foreignCallbacks) });
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Cancelled while the PKCE pair was made or the server started: no 'abort' event will come any more.
    if (signal?.aborted) {
      onAbort();
      return;
    }

    const login: PendingLogin = {
      state: wait.state,
      isAlreadyHandled: () => callbackReceived || settled,
      markCallbackReceived: () => {
        callbackReceived = true;
      },
      noteForeignCallback: () => {
        foreignCallbacks += 1;
      },
      exchange: wait.exchange,
      finish,
    };
    server.onRequest((request, response) => {
      handleCallbackRequest(request, response, login).catch((error: unknown) => {
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

    try {
      announceAuthorizeUrl(wait.authorizeUrl, options);
    } catch (error) {
      finish({ error });
    }
  });
}

/**
 * Logs in with the browser: starts a loopback server on `127.0.0.1:1455` (by default), opens the authorize
 * URL, waits for the callback carrying this login's `state`, exchanges its code and resolves with the
 * tokens. Stray requests — other paths, a bare `GET /auth/callback`, another login's `state`, an
 * `error=access_denied` without this login's `state` — are answered (404/400) and ignored: the login
 * keeps waiting for its real callback until the timeout, and no token request is made for them. The
 * server always closes itself, on success, failure, timeout and abort.
 *
 * Errors: `port-in-use`, `access-denied` (the callback of this login carried an issuer error),
 * `invalid-callback` (it carried no code), `login-timeout`, `aborted`, and the token endpoint's errors.
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
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const clientId = options.clientId ?? CODEX_CLIENT_ID;
  const pkce = await createPkcePair();
  const state = createState();

  const server = await startLoopbackCallbackServer(host, options.port ?? DEFAULT_CALLBACK_PORT);
  const redirectUri = loopbackRedirectUri(server.port);
  const authorizeUrl = buildAuthorizeUrl({ issuer, clientId, redirectUri, challenge: pkce.challenge, state });
  const exchange = (code: string) =>
    exchangeCodeForTokens({
      issuer,
      clientId,
      code,
      codeVerifier: pkce.verifier,
      redirectUri,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(signal === undefined ? {} : { signal }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  return waitForCallback({ server, state, redirectUri, authorizeUrl, timeoutMs, signal, exchange }, options);
}
