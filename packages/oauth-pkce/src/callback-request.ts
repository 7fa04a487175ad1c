import { CALLBACK_PATH } from './constants.js';
import { OAuthError } from './errors.js';

/** What the loopback server answers the browser: a plain-text line or a small HTML page. */
export type CallbackReply =
  | { format: 'plain'; status: number; text: string }
  | { format: 'page'; status: number; title: string; message: string };

/**
 * What one request to the loopback server means for the login:
 * - `ignore`: answer it and keep waiting for the real callback;
 * - `reject`: answer it, then end the login with `error` (only a callback with this login's `state`);
 * - `exchange`: the callback of this login; exchange `code` for tokens.
 */
export type CallbackOutcome =
  | {
      kind: 'ignore';
      reply: CallbackReply;
      /** True for a callback-path request without this login's `state` (a stray or forged callback). */
      foreignCallback?: true;
    }
  | { kind: 'reject'; reply: CallbackReply; error: OAuthError }
  | { kind: 'exchange'; code: string };

/** The parts of an incoming request the login looks at. */
export interface CallbackRequest {
  /** HTTP method. */
  method: string | undefined;
  /** The request target (path and query), as sent. */
  target: string | undefined;
}

/** What the login expects of its callback. */
export interface CallbackExpectation {
  /** The `state` this login put on its authorize URL. */
  state: string;
  /** True once a callback was received (or the login ended): later ones are only answered. */
  alreadyHandled: boolean;
}

/** The page shown once the tokens were obtained. */
export const SIGNED_IN_REPLY: CallbackReply = {
  format: 'page',
  status: 200,
  title: 'Signed in to CodeTether',
  message: 'You are logged in with ChatGPT. You can close this tab and return to your terminal.',
};

/**
 * The page shown when the code exchange failed.
 *
 * @param error - why it failed (its message is shown; messages never hold a token)
 */
export function exchangeFailedReply(error: unknown): CallbackReply {
  const message = error instanceof Error ? error.message : 'The login failed.';
  return { format: 'page', status: 500, title: 'Login failed', message };
}

/** The request's URL, or undefined when the request target cannot be parsed. */
function parseRequestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function issuerErrorOutcome(issuerErrorCode: string, description: string | undefined): CallbackOutcome {
  const detail = description ? `${issuerErrorCode}: ${description}` : issuerErrorCode;
  return {
    kind: 'reject',
    reply: {
      format: 'page',
      status: 400,
      title: 'Login was not completed',
      message: `The sign-in page answered: ${detail}. Return to your terminal.`,
    },
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
  };
}

/**
 * A callback without this login's `state` (none, or another login's): not this login's answer, so it is
 * answered with a 400 page and the login keeps waiting for its real callback.
 */
const FOREIGN_CALLBACK_OUTCOME: CallbackOutcome = {
  kind: 'ignore',
  foreignCallback: true,
  reply: {
    format: 'page',
    status: 400,
    title: 'Not the callback of this login',
    message:
      'This request does not carry the state of the login CodeTether is waiting for (it is missing or belongs to another login, e.g. an old browser tab), so it was ignored. Finish signing in from the page CodeTether opened, or start the login again from your terminal.',
  },
};

function missingCodeOutcome(): CallbackOutcome {
  return {
    kind: 'reject',
    reply: {
      format: 'page',
      status: 400,
      title: 'Login failed',
      message: 'The callback carried no authorization code. Start the login again from your terminal.',
    },
    error: new OAuthError(
      'invalid-callback',
      'The login callback carried no authorization code. Run `codetether auth login` again.',
    ),
  };
}

/**
 * Decides what a request to the loopback server means for the login (pure: no I/O). Anything that is
 * not a GET of the callback path (favicon requests, probes, malformed or hostile requests) is answered
 * and ignored; so is any callback after the first, and any callback without this login's `state` (none,
 * or another login's — even one carrying `error=access_denied`): a stray request must never end the
 * login, which keeps waiting for the real callback until its timeout. Only a callback with this login's
 * `state` ends it: with its code exchanged, as `access-denied` when it carries an issuer error, or as
 * `invalid-callback` when it has no code.
 *
 * @param request - method and target of the request
 * @param expectation - this login's `state`, and whether a callback was already handled
 */
export function classifyCallbackRequest(
  request: CallbackRequest,
  expectation: CallbackExpectation,
): CallbackOutcome {
  const url = parseRequestTarget(request.target);
  if (url === undefined) {
    return { kind: 'ignore', reply: { format: 'plain', status: 400, text: 'Bad request' } };
  }
  if (url.pathname !== CALLBACK_PATH || request.method !== 'GET') {
    return { kind: 'ignore', reply: { format: 'plain', status: 404, text: 'Not found' } };
  }
  if (expectation.alreadyHandled) {
    return {
      kind: 'ignore',
      reply: {
        format: 'page',
        status: 409,
        title: 'Login already handled',
        message: 'This login has already been handled. You can close this tab.',
      },
    };
  }
  const parameters = url.searchParams;
  if (parameters.get('state') !== expectation.state) return FOREIGN_CALLBACK_OUTCOME;
  const issuerErrorCode = parameters.get('error');
  if (issuerErrorCode !== null) {
    return issuerErrorOutcome(issuerErrorCode, parameters.get('error_description') ?? undefined);
  }
  const code = parameters.get('code');
  if (code === null || code === '') return missingCodeOutcome();
  return { kind: 'exchange', code };
}
