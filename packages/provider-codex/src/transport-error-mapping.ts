import {
  type Backend,
  type NonHttpServerReply,
  ResponsesTransportError,
  redactSecrets,
} from '@codetether/responses-protocol';
import { MISSING_ACCOUNT_ID_MESSAGE } from './auth.js';
import { CodexProviderError, type UpstreamErrorBody } from './errors.js';
import { formatModelChoices } from './model-validation.js';

/** Context for mapping a transport error to a provider error. */
export interface ErrorMappingContext {
  /** The backend that answered. */
  backend: Backend;
  /** The model requested (as the user spelled it). */
  model: string;
  /** Current time, epoch ms (for "try again in ~N min"). */
  now: number;
  /** The plan type from the last rate-limit headers, when the error carries none. */
  planType?: string | undefined;
  /** Secrets that were sent (token, API key): removed from any server text quoted in the message. */
  secrets?: readonly string[] | undefined;
  /** True when the response had already started streaming (a broken connection, not an unreachable one). */
  midStream?: boolean | undefined;
  /** The models the account can use (the live list), named when the backend refuses the model. */
  supportedModels?: readonly string[] | undefined;
}

/** The reference's actionable message for a token without the `model.request` scope. */
export function missingScopeMessage(model: string): string {
  return `OpenAI Codex OAuth token is missing required scope \`model.request\` for model \`${model}\`. Re-run \`codetether auth login\` and complete OAuth approval with a ChatGPT subscription account that has model access in your org/project.`;
}

/**
 * "You have hit your ChatGPT usage limit (plus plan). Try again in ~N min." N is the number of whole
 * minutes until the reset, rounded up (at least 1).
 *
 * @param options.resetsAt - when the limit resets, epoch milliseconds
 * @param options.now - current time, epoch ms
 */
export function usageLimitMessage(options: {
  planType?: string | undefined;
  resetsAt?: number | undefined;
  now: number;
}): string {
  const plan = options.planType === undefined ? '' : ` (${options.planType} plan)`;
  if (options.resetsAt === undefined) return `You have hit your ChatGPT usage limit${plan}. Try again later.`;
  const minutes = Math.max(1, Math.ceil((options.resetsAt - options.now) / 60_000));
  return `You have hit your ChatGPT usage limit${plan}. Try again in ~${minutes} min.`;
}

/** Longest server text quoted in a message (proxies can answer with whole HTML pages). */
const MAX_DETAIL_LENGTH = 300;

/**
 * Makes server text safe and short enough to quote: removes the given secrets and anything
 * credential-shaped (the shared `redactSecrets`), collapses whitespace and truncates.
 *
 * @param text - text from a server or transport
 * @param secrets - exact secrets to remove (the token or key that was sent)
 */
export function quoteServerText(text: string, secrets: readonly string[] = []): string {
  const result = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return result.length > MAX_DETAIL_LENGTH ? `${result.slice(0, MAX_DETAIL_LENGTH)}…` : result;
}

/**
 * Joins a lead sentence and an optional detail into one sentence that ends with exactly one
 * punctuation mark: `lead: detail.` (no extra period when the detail already ends with `.`, `!`, `?`
 * or `…`), or `lead.` without a detail.
 */
export function sentence(lead: string, detail?: string): string {
  const text = detail === undefined || detail === '' ? lead : `${lead}: ${detail}`;
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/** The server's own words (the transport's message only when the server's is unknown). */
function textOf(error: ResponsesTransportError): string {
  return [error.serverMessage ?? error.message, error.errorCode, error.errorType].filter(Boolean).join(' ');
}

/** True when a 401's text says the token lacks the `model.request` scope. */
export function isMissingScope(error: ResponsesTransportError): boolean {
  return textOf(error).includes('Missing scopes: model.request');
}

/** True when a 401's text is about the ChatGPT account id / workspace. */
export function isMissingAccountId(error: ResponsesTransportError): boolean {
  return /chatgpt-account-id|ChatGPT-Account-ID|workspace/i.test(textOf(error));
}

/** True when the server rejected the credentials (HTTP 401, or a 401 handshake or error event). */
export function isUnauthorized(error: ResponsesTransportError): boolean {
  return error.status === 401;
}

/**
 * `lead: detail.` followed by `advice`, unless the detail (a transport's own message) already ends
 * with advice to try again: then it is not repeated.
 */
function withAdvice(lead: string, detail: string, advice: string): string {
  const text = sentence(lead, detail);
  return /\b(try|send (the request|it)) again\b[^.!?]*[.!?]?$/i.test(detail) ? text : `${text} ${advice}`;
}

function backendName(backend: Backend): string {
  return backend === 'chatgpt' ? 'ChatGPT backend' : 'OpenAI API';
}

function baseUrlVariable(backend: Backend): string {
  return backend === 'chatgpt' ? 'CODETETHER_CHATGPT_BASE_URL' : 'CODETETHER_OPENAI_BASE_URL';
}

/** The message of a network failure before the response started. */
function beforeResponseMessage(
  detail: string,
  backend: Backend,
  serverReply: NonHttpServerReply | undefined,
): string {
  const server = `The server at the ${backendName(backend)}'s base URL`;
  // The transport's own message may already say to check the base URL: then only where it is set is added.
  const advise = (lead: string, advice: string): string =>
    /\bbase URL\b/.test(detail)
      ? `${sentence(lead, detail)} The base URL is set by ${baseUrlVariable(backend)}.`
      : `${sentence(lead, detail)} ${advice}`;
  switch (serverReply) {
    case 'not-http':
      return advise(
        `${server} answered with something that is not HTTP`,
        `Check that the base URL (${baseUrlVariable(backend)}) points at the ${backendName(backend)}: scheme, host and port.`,
      );
    case 'closed-without-answer':
      return advise(
        `${server} closed the connection without answering`,
        `Try again; if it keeps happening, check that the base URL (${baseUrlVariable(backend)}) points at the ${backendName(backend)}.`,
      );
    case undefined:
      return withAdvice(
        `Could not reach the ${backendName(backend)}`,
        detail,
        'Check your network connection and the base URL, then try again.',
      );
  }
}

/**
 * A network failure: "broke" after the response started; before, "could not reach" — unless the
 * transport says the server was reached and answered with something that is not HTTP, or closed
 * the connection without answering (`serverReply`): then that.
 */
function networkError(
  detail: string,
  context: ErrorMappingContext,
  options: {
    cause: unknown;
    isRetryable: boolean;
    status?: number | undefined;
    requestId?: string | undefined;
  },
  serverReply?: NonHttpServerReply,
): CodexProviderError {
  const message =
    context.midStream === true
      ? withAdvice(
          `The connection to the ${backendName(context.backend)} broke during the response`,
          detail,
          'Check your network connection and send the request again.',
        )
      : beforeResponseMessage(detail, context.backend, serverReply);
  return new CodexProviderError('network-error', message, options);
}

/** The server's error body as the transport read it (message scrubbed of secrets), when it sent one. */
function upstreamErrorOf(
  error: ResponsesTransportError,
  secrets: readonly string[],
): UpstreamErrorBody | undefined {
  if (error.serverMessage === undefined && error.errorCode === undefined) return undefined;
  const body: UpstreamErrorBody = {
    message: redactSecrets(error.serverMessage ?? error.errorCode ?? '', secrets),
  };
  if (error.errorType !== undefined) body.type = error.errorType;
  if (error.errorCode !== undefined) body.code = error.errorCode;
  if (error.errorParam !== undefined) body.param = error.errorParam;
  return body;
}

/** Maps a failure the server reported with a status (`http-status`, `usage-limit-reached`). */
function mapServerStatus(
  error: ResponsesTransportError,
  context: ErrorMappingContext,
  detail: string,
): CodexProviderError | undefined {
  const common = {
    cause: error,
    status: error.status,
    requestId: error.requestId,
    upstreamError: upstreamErrorOf(error, context.secrets ?? []),
  };
  const status = error.status ?? 0;
  if (error.code === 'usage-limit-reached' || error.errorType === 'usage_limit_reached') {
    const { resetsAt } = error;
    return new CodexProviderError(
      'usage-limit-reached',
      usageLimitMessage({
        planType: error.planType ?? error.rateLimits?.planType ?? context.planType,
        resetsAt,
        now: context.now,
      }),
      {
        ...common,
        isRetryable: false,
        resetsAt,
        retryAfterMs: resetsAt === undefined ? undefined : Math.max(1_000, resetsAt - context.now),
      },
    );
  }
  if (isUnauthorized(error)) {
    if (isMissingScope(error)) {
      return new CodexProviderError('missing-scope', missingScopeMessage(context.model), {
        ...common,
        isRetryable: false,
      });
    }
    if (context.backend === 'chatgpt' && isMissingAccountId(error)) {
      return new CodexProviderError('missing-account-id', MISSING_ACCOUNT_ID_MESSAGE, {
        ...common,
        isRetryable: false,
      });
    }
    if (context.backend === 'chatgpt') {
      // The backend answers a rejected ChatGPT token with OpenAI's API-key text ("Incorrect API key
      // provided … platform.openai.com"), which sends people to the wrong place: say what happened.
      const aboutApiKeys = /api key|platform\.openai\.com/i.test(detail ?? '');
      return new CodexProviderError(
        'unauthorized',
        `${sentence('The ChatGPT backend did not accept your ChatGPT login (401): it has expired or was signed out elsewhere', aboutApiKeys ? undefined : detail)} Run \`codetether auth login\` to sign in again.`,
        { ...common, isRetryable: false },
      );
    }
    return new CodexProviderError(
      'unauthorized',
      `${sentence(`The ${backendName(context.backend)} rejected the credentials (401)`, detail)} Check that the OpenAI API key (OPENAI_API_KEY) is valid and active, or run \`codetether auth login\` to use a ChatGPT subscription instead.`,
      { ...common, isRetryable: false },
    );
  }
  if (status === 403) {
    return new CodexProviderError(
      'unauthorized',
      `${sentence('The server refused the request (403)', detail)} Check that your account has access to model '${context.model}'.`,
      { ...common, isRetryable: false },
    );
  }
  if (status === 429) {
    const { retryAfterMs } = error;
    const wait =
      retryAfterMs === undefined ? 'Wait a moment' : `Wait about ${Math.ceil(retryAfterMs / 1000)} s`;
    return new CodexProviderError(
      'rate-limited',
      `${sentence('Rate limited by the server (429)', detail)} ${wait} and try again.`,
      { ...common, isRetryable: true, retryAfterMs },
    );
  }
  if (status >= 500) {
    return new CodexProviderError(
      'upstream-error',
      withAdvice(`The server failed (${status})`, detail, 'Try again in a moment.'),
      { ...common, isRetryable: true },
    );
  }
  if (status === 400 && error.errorCode === 'model_not_supported') {
    const plan = context.planType === undefined ? '' : ` (${context.planType} plan)`;
    const choices =
      context.supportedModels === undefined || context.supportedModels.length === 0
        ? ''
        : ` Supported models: ${formatModelChoices(context.supportedModels)}.`;
    return new CodexProviderError(
      'unsupported-model',
      `${sentence(`The ChatGPT backend refused model '${context.model}'${plan}`, detail)}${choices} Pick another model, or run \`codetether models --refresh\` to update the list.`,
      { ...common, isRetryable: false },
    );
  }
  if (status >= 400) {
    // The server's `param` names the field at fault; without one, the usual suspects.
    const param = error.errorParam;
    const advice = param === undefined ? 'Check the model name and request parameters.' : `Check '${param}'.`;
    return new CodexProviderError(
      'invalid-request',
      `${sentence(`The server rejected the request (${status})`, detail)} ${advice}`,
      { ...common, isRetryable: false },
    );
  }
  return undefined;
}

/** Maps a transport error by its code (the failures without a server status). */
function mapTransportCode(
  error: ResponsesTransportError,
  context: ErrorMappingContext,
  detail: string,
): CodexProviderError {
  const common = { cause: error, status: error.status, requestId: error.requestId };
  switch (error.code) {
    case 'aborted':
      return new CodexProviderError('aborted', 'The request was aborted.', { ...common, isRetryable: false });
    case 'transport-closed':
      return new CodexProviderError('invalid-request', 'The provider was closed. Create a new provider.', {
        ...common,
        isRetryable: false,
      });
    case 'invalid-request':
      return new CodexProviderError(
        'invalid-request',
        `${sentence(`The request to the ${backendName(context.backend)} could not be sent`, detail)} Check the base URL (CODETETHER_CHATGPT_BASE_URL / CODETETHER_OPENAI_BASE_URL) and any custom headers.`,
        { ...common, isRetryable: false },
      );
    case 'timeout-connect':
    case 'timeout-first-byte':
    case 'timeout-idle':
      return new CodexProviderError(
        'timeout',
        `The ${backendName(context.backend)} did not answer in time (${error.code}). Check your network connection and try again.`,
        { ...common, isRetryable: true },
      );
    case 'message-too-big':
      return new CodexProviderError(
        'invalid-request',
        'The request is too large for the WebSocket. Shorten the conversation or use the HTTP transport (CODETETHER_TRANSPORT=http).',
        { ...common, isRetryable: false },
      );
    case 'protocol':
    case 'closed-before-completion':
    case 'http-status':
    case 'usage-limit-reached':
      return new CodexProviderError(
        'upstream-error',
        withAdvice('The response stream failed', detail, 'Try again in a moment.'),
        { ...common, isRetryable: error.isRetryable },
      );
    case 'too-many-connections':
      return new CodexProviderError(
        'network-error',
        "Too many WebSocket connections are busy in this process (the transport's maxConnections), so the request was not sent. Try again once a response ends, raise maxConnections, or use the automatic transport (CODETETHER_TRANSPORT=auto), which sends such a request over HTTP.",
        { ...common, isRetryable: true },
      );
    case 'network':
      return networkError(detail, context, { ...common, isRetryable: error.isRetryable }, error.serverReply);
  }
}

/**
 * Maps what a transport threw to a {@link CodexProviderError} whose message tells the user what to do.
 * Transport failures are read by their typed fields (`ResponsesTransportError` from either transport);
 * anything else (an injected transport's own error) is a network error, or `aborted` for an
 * `AbortError`. The 401 refresh-and-retry decision is made by the caller before this. Server text
 * quoted in the message is stripped of credentials (see {@link quoteServerText}).
 */
export function mapTransportError(error: unknown, context: ErrorMappingContext): CodexProviderError {
  if (error instanceof CodexProviderError) return error;
  const secrets = context.secrets ?? [];
  if (!(error instanceof ResponsesTransportError)) {
    if (error instanceof Error && error.name === 'AbortError') {
      return new CodexProviderError('aborted', 'The request was aborted.', {
        cause: error,
        isRetryable: false,
      });
    }
    const detail = quoteServerText(error instanceof Error ? error.message : String(error), secrets);
    return networkError(detail, context, { cause: error, isRetryable: true });
  }
  const detail = quoteServerText(error.serverMessage ?? error.message, secrets);
  return mapServerStatus(error, context, detail) ?? mapTransportCode(error, context, detail);
}
