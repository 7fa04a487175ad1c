import type { Backend } from '@codetether/responses-protocol';
import { MISSING_ACCOUNT_ID_MESSAGE } from './auth.js';
import { CodexProviderError } from './errors.js';

/** Fields the transports' error classes carry (read structurally so both transports map the same way). */
export interface TransportErrorFields {
  code?: string;
  status?: number;
  message: string;
  isRetryable?: boolean;
  fallbackSafe?: boolean;
  serverMessage?: string;
  errorType?: string;
  errorCode?: string;
  resetsAt?: number;
  retryAfterMs?: number;
  requestId?: string;
  planType?: string;
  closeCode?: number;
}

/** Reads the structural fields of a transport error; anything missing is undefined. */
export function readTransportErrorFields(error: unknown): TransportErrorFields {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const record = error as Record<string, unknown>;
  const fields: TransportErrorFields = {
    message: typeof record.message === 'string' ? record.message : String(error),
  };
  const stringField = (key: keyof TransportErrorFields & string): void => {
    const value = record[key];
    if (typeof value === 'string') (fields as unknown as Record<string, unknown>)[key] = value;
  };
  const numberField = (key: keyof TransportErrorFields & string): void => {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value))
      (fields as unknown as Record<string, unknown>)[key] = value;
  };
  for (const key of ['code', 'serverMessage', 'errorType', 'errorCode', 'requestId', 'planType'] as const) {
    stringField(key);
  }
  for (const key of ['status', 'resetsAt', 'retryAfterMs', 'closeCode'] as const) numberField(key);
  if (typeof record.isRetryable === 'boolean') fields.isRetryable = record.isRetryable;
  if (typeof record.fallbackSafe === 'boolean') fields.fallbackSafe = record.fallbackSafe;
  if (fields.planType === undefined && typeof record.rateLimits === 'object' && record.rateLimits !== null) {
    const planType = (record.rateLimits as { planType?: unknown }).planType;
    if (typeof planType === 'string') fields.planType = planType;
  }
  return fields;
}

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
}

/** The reference's actionable message for a token without the `model.request` scope. */
export function missingScopeMessage(model: string): string {
  return `OpenAI Codex OAuth token is missing required scope \`model.request\` for model \`${model}\`. Re-run \`codetether auth login\` and complete OAuth approval with a ChatGPT subscription account that has model access in your org/project.`;
}

/** Values below this are epoch seconds, at or above it epoch milliseconds (10^11 s is the year 5138). */
const MILLISECONDS_THRESHOLD = 100_000_000_000;

/**
 * Normalises a reset time to epoch milliseconds. The transports report epoch milliseconds; a value that
 * is evidently in seconds (below 10^11) is multiplied by 1000.
 */
export function toEpochMilliseconds(value: number): number {
  return value >= MILLISECONDS_THRESHOLD ? value : value * 1000;
}

/**
 * Normalises a reset time to whole epoch seconds, rounded up (the limit has reset by then). Accepts
 * epoch milliseconds (what the transports report) or epoch seconds.
 */
export function toEpochSeconds(value: number): number {
  return Math.ceil(toEpochMilliseconds(value) / 1000);
}

/**
 * "You have hit your ChatGPT usage limit (plus plan). Try again in ~N min." N is the number of whole
 * minutes until the reset, rounded up (at least 1).
 *
 * @param options.resetsAt - when the limit resets, epoch milliseconds (epoch seconds are accepted too)
 * @param options.now - current time, epoch ms
 */
export function usageLimitMessage(options: {
  planType?: string | undefined;
  resetsAt?: number | undefined;
  now: number;
}): string {
  const plan = options.planType === undefined ? '' : ` (${options.planType} plan)`;
  if (options.resetsAt === undefined) return `You have hit your ChatGPT usage limit${plan}. Try again later.`;
  const minutes = Math.max(1, Math.ceil((toEpochMilliseconds(options.resetsAt) - options.now) / 60_000));
  return `You have hit your ChatGPT usage limit${plan}. Try again in ~${minutes} min.`;
}

/** Longest server text quoted in a message (proxies can answer with whole HTML pages). */
const MAX_DETAIL_LENGTH = 300;

/** Strings that look like credentials: OpenAI keys and JWTs (access/id tokens). */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
];

/** `Bearer <credential>` (long enough to be a real credential, not prose such as "Bearer auth"). */
const BEARER_PATTERN = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{12,}/gi;

/**
 * Makes server text safe and short enough to quote: removes the given secrets and anything that looks
 * like a key, token or `Bearer` credential, collapses whitespace and truncates.
 *
 * @param text - text from a server or transport
 * @param secrets - exact secrets to remove (the token or key that was sent)
 */
export function sanitizeDetail(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  result = result.replace(BEARER_PATTERN, '$1[redacted]');
  for (const pattern of SECRET_PATTERNS) result = result.replace(pattern, '[redacted]');
  result = result.replace(/\s+/g, ' ').trim();
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
function textOf(fields: TransportErrorFields): string {
  return [fields.serverMessage ?? fields.message, fields.errorCode, fields.errorType]
    .filter(Boolean)
    .join(' ');
}

/** True when a 401's text says the token lacks the `model.request` scope. */
export function isMissingScope(fields: TransportErrorFields): boolean {
  return textOf(fields).includes('Missing scopes: model.request');
}

/** True when a 401's text is about the ChatGPT account id / workspace. */
export function isMissingAccountId(fields: TransportErrorFields): boolean {
  const text = textOf(fields);
  return /chatgpt-account-id|ChatGPT-Account-ID|workspace/i.test(text);
}

/** True when the error is an authentication rejection (HTTP 401 or a 401 handshake). */
export function isUnauthorized(fields: TransportErrorFields): boolean {
  return fields.status === 401 || fields.code === 'unauthorized';
}

function detailOf(fields: TransportErrorFields, secrets: readonly string[]): string {
  return sanitizeDetail(fields.serverMessage ?? fields.message, secrets);
}

/**
 * `lead: detail.` followed by `advice`, unless the detail (a transport's own message) already ends
 * with advice to try again: then it is not repeated.
 */
function withAdvice(lead: string, detail: string, advice: string): string {
  const text = sentence(lead, detail);
  return /\b(try|send (the request|it)) again\b[^.!?]*[.!?]?$/i.test(detail) ? text : `${text} ${advice}`;
}

/**
 * Maps an error from transport-http or transport-ws to a {@link CodexProviderError} whose message
 * tells the user what to do. The 401 refresh-and-retry decision is made by the caller before this.
 * Server text quoted in the message is stripped of credentials (see {@link sanitizeDetail}).
 */
export function mapTransportError(error: unknown, context: ErrorMappingContext): CodexProviderError {
  if (error instanceof CodexProviderError) return error;
  const fields = readTransportErrorFields(error);
  const secrets = context.secrets ?? [];
  const detail = detailOf(fields, secrets);
  const backendName = context.backend === 'chatgpt' ? 'ChatGPT backend' : 'OpenAI API';
  const common = {
    cause: error,
    status: fields.status,
    requestId: fields.requestId,
  };
  const name = error instanceof Error ? error.name : '';
  if (fields.code === 'aborted' || name === 'AbortError') {
    return new CodexProviderError('aborted', 'The request was aborted.', { ...common, isRetryable: false });
  }
  if (
    fields.code === 'usage-limit-reached' ||
    fields.errorType === 'usage_limit_reached' ||
    fields.errorCode === 'usage_limit_reached'
  ) {
    const resetsAtMs = fields.resetsAt === undefined ? undefined : toEpochMilliseconds(fields.resetsAt);
    return new CodexProviderError(
      'usage-limit-reached',
      usageLimitMessage({
        planType: fields.planType ?? context.planType,
        resetsAt: fields.resetsAt,
        now: context.now,
      }),
      {
        ...common,
        isRetryable: false,
        resetsAtMs,
        retryAfterSeconds:
          resetsAtMs === undefined ? undefined : Math.max(1, Math.ceil((resetsAtMs - context.now) / 1000)),
      },
    );
  }
  if (isUnauthorized(fields)) {
    if (isMissingScope(fields)) {
      return new CodexProviderError('missing-scope', missingScopeMessage(context.model), {
        ...common,
        isRetryable: false,
      });
    }
    if (context.backend === 'chatgpt' && isMissingAccountId(fields)) {
      return new CodexProviderError('missing-account-id', MISSING_ACCOUNT_ID_MESSAGE, {
        ...common,
        isRetryable: false,
      });
    }
    const advice =
      context.backend === 'chatgpt'
        ? 'Run `codetether auth login` to sign in again.'
        : 'Check that the OpenAI API key (OPENAI_API_KEY) is valid and active, or run `codetether auth login` to use a ChatGPT subscription instead.';
    return new CodexProviderError(
      'unauthorized',
      `${sentence(`The ${backendName} rejected the credentials (401)`, detail)} ${advice}`,
      { ...common, isRetryable: false },
    );
  }
  if (fields.status === 403) {
    return new CodexProviderError(
      'unauthorized',
      `${sentence('The server refused the request (403)', detail)} Check that your account has access to model '${context.model}'.`,
      { ...common, isRetryable: false },
    );
  }
  if (fields.status === 429 || fields.code === 'rate-limited') {
    const retryAfterSeconds =
      fields.retryAfterMs === undefined ? undefined : Math.ceil(fields.retryAfterMs / 1000);
    const wait = retryAfterSeconds === undefined ? 'Wait a moment' : `Wait about ${retryAfterSeconds} s`;
    return new CodexProviderError(
      'rate-limited',
      `${sentence('Rate limited by the server (429)', detail)} ${wait} and try again.`,
      {
        ...common,
        isRetryable: true,
        retryAfterSeconds,
      },
    );
  }
  if ((fields.status !== undefined && fields.status >= 500) || fields.code === 'server-error') {
    return new CodexProviderError(
      'upstream-error',
      withAdvice(
        `The server failed${fields.status === undefined ? '' : ` (${fields.status})`}`,
        detail,
        'Try again in a moment.',
      ),
      { ...common, isRetryable: true },
    );
  }
  if (fields.status !== undefined && fields.status >= 400) {
    return new CodexProviderError(
      'invalid-request',
      `${sentence(`The server rejected the request (${fields.status})`, detail)} Check the model name and request parameters.`,
      { ...common, isRetryable: false },
    );
  }
  if (fields.code === 'closed' || fields.code === 'transport-closed') {
    return new CodexProviderError('invalid-request', 'The provider was closed. Create a new provider.', {
      ...common,
      isRetryable: false,
    });
  }
  if (fields.code === 'invalid-request') {
    return new CodexProviderError(
      'invalid-request',
      `${sentence(`The request to the ${backendName} could not be sent`, detail)} Check the base URL (CODETETHER_CHATGPT_BASE_URL / CODETETHER_OPENAI_BASE_URL) and any custom headers.`,
      { ...common, isRetryable: false },
    );
  }
  if (fields.code?.includes('timeout')) {
    return new CodexProviderError(
      'timeout',
      `The ${backendName} did not answer in time (${fields.code}). Check your network connection and try again.`,
      { ...common, isRetryable: true },
    );
  }
  if (fields.code === 'message-too-big') {
    return new CodexProviderError(
      'invalid-request',
      'The request is too large for the WebSocket. Shorten the conversation or use the HTTP transport (CODETETHER_TRANSPORT=http).',
      { ...common, isRetryable: false },
    );
  }
  if (
    fields.code === 'stream-error' ||
    fields.code === 'protocol' ||
    fields.code === 'protocol-error' ||
    fields.code === 'http-status' ||
    fields.code === 'closed-before-completion' ||
    fields.code === 'buffer-limit-exceeded'
  ) {
    return new CodexProviderError(
      'upstream-error',
      withAdvice('The response stream failed', detail, 'Try again in a moment.'),
      { ...common, isRetryable: fields.isRetryable ?? true },
    );
  }
  if (context.midStream === true) {
    return new CodexProviderError(
      'network-error',
      withAdvice(
        `The connection to the ${backendName} broke during the response`,
        detail,
        'Check your network connection and send the request again.',
      ),
      { ...common, isRetryable: fields.isRetryable ?? true },
    );
  }
  return new CodexProviderError(
    'network-error',
    withAdvice(
      `Could not reach the ${backendName}`,
      detail,
      'Check your network connection and the base URL, then try again.',
    ),
    { ...common, isRetryable: fields.isRetryable ?? true },
  );
}
