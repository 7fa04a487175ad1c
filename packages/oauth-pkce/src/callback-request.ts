import { CALLBACK_PATH } from './constants.js';
import { OAuthError } from './errors.js';

/** What the loopback server answers the browser: a plain-text line or a small HTML page. */
export type CallbackReply =
  | { format: 'plain'; status: number; text: string }
  | { format: 'page'; status: number; title: string; message: string };

/**
 * What one request to the loopback server means for the login:
 * - `ignore`: answer it and keep waiting for the real callback;
 * - `reject`: answer it, then end the login with `error`;
 * - `exchange`: the callback of this login; exchange `code` for tokens.
 */
export type CallbackOutcome =
  | { kind: 'ignore'; reply: CallbackReply }
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

function stateMismatchOutcome(): CallbackOutcome {
  return {
    kind: 'reject',
    reply: {
      format: 'page',
      status: 400,
      title: 'Login rejected: state mismatch',
      message:
        'This callback does not belong to the login CodeTether started, so it was ignored. Start the login again from your terminal.',
    },
    error: new OAuthError(
      'state-mismatch',
      'The login callback carried a state value that does not match this login, so it was rejected (possible cross-site request forgery or a stale browser tab). Run `codetether auth login` again.',
    ),
  };
}

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
 * and ignored; so is any callback after the first. The first callback ends the login unless it carries
 * this login's `state` and a code: an issuer error (with this login's `state`, or none) is
 * `access-denied`, another `state` is `state-mismatch` (no token request is made), a missing code
 * `invalid-callback`.
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
  const issuerErrorCode = parameters.get('error');
  const returnedState = parameters.get('state');
  // An error callback carrying another login's state is not this user's answer: treat it as a
  // state mismatch below. (Issuers that omit `state` on errors are still reported as a denial.)
  if (issuerErrorCode !== null && (returnedState === null || returnedState === expectation.state)) {
    return issuerErrorOutcome(issuerErrorCode, parameters.get('error_description') ?? undefined);
  }
  if (returnedState !== expectation.state) return stateMismatchOutcome();
  const code = parameters.get('code');
  if (code === null || code === '') return missingCodeOutcome();
  return { kind: 'exchange', code };
}
