import { OAuthError } from './errors.js';

/** A `fetch`-compatible function (the global one by default; tests inject their own). */
export type FetchFunction = typeof globalThis.fetch;

/** Default per-request timeout for issuer calls. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What {@link sendIssuerRequest} returns: the status and the body, parsed as JSON when possible. */
export interface IssuerResponse {
  /** The HTTP status. */
  status: number;
  /** Whether the status is 2xx. */
  ok: boolean;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  json: unknown;
  /** The raw body text (never put into messages: it may contain tokens). */
  text: string;
}

/** Options of {@link sendIssuerRequest}. */
export interface IssuerRequestOptions {
  /** The endpoint URL. */
  url: string;
  /** A form (`application/x-www-form-urlencoded`) or JSON body. */
  body: { kind: 'form'; fields: Record<string, string> } | { kind: 'json'; value: unknown };
  /** Describes the operation for error messages, e.g. "the token refresh". */
  operation: string;
  /** `fetch` to use. Default the global one. */
  fetch?: FetchFunction | undefined;
  /** The caller's cancellation (→ `aborted`). */
  signal?: AbortSignal | undefined;
  /** Per-request timeout (→ `network-error`). Default 30 s. */
  timeoutMs?: number | undefined;
}

/**
 * Creates the `aborted` error used when the caller's AbortSignal fires.
 *
 * @param operation - what was aborted
 * @param cause - the abort reason
 */
export function abortedError(operation: string, cause?: unknown): OAuthError {
  return new OAuthError('aborted', `${capitalize(operation)} was cancelled.`, { cause });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * POSTs a form or JSON body to the issuer. Network failures and timeouts become `network-error`
 * (retryable); the caller's abort becomes `aborted`. A redirect (3xx) is never followed: it is a
 * `network-error` with its `status`, not retryable. Any other HTTP status is returned, not thrown.
 *
 * @param options - URL, body, operation name, fetch, signal and timeout
 */
export async function sendIssuerRequest(options: IssuerRequestOptions): Promise<IssuerResponse> {
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (options.signal?.aborted) throw abortedError(options.operation, options.signal.reason);
  const timeoutSignal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeoutSignal]) : timeoutSignal;
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string;
  if (options.body.kind === 'form') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.body.fields).toString();
  } else {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body.value);
  }
  const host = safeOrigin(options.url);
  try {
    // Never follows a redirect: a 307/308 would send the form (a code, a refresh token) to another URL.
    const response = await fetchFunction(options.url, {
      method: 'POST',
      headers,
      body,
      signal,
      redirect: 'manual',
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => {});
      throw redirectError(options, response);
    }
    const text = await response.text();
    let json: unknown;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, ok: response.ok, json, text };
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (options.signal?.aborted) throw abortedError(options.operation, options.signal.reason);
    if (timeoutSignal.aborted) {
      throw new OAuthError(
        'network-error',
        `${capitalize(options.operation)} timed out waiting for ${host}. Check your network connection and try again.`,
        { cause: error, isRetryable: true },
      );
    }
    throw new OAuthError(
      'network-error',
      `${capitalize(options.operation)} could not reach ${host}: ${describeNetworkError(error)}. Check your network connection (and proxy settings) and try again.`,
      { cause: error, isRetryable: true },
    );
  }
}

/**
 * The `network-error` (not retryable, with the 3xx `status`) of an issuer answering with a redirect,
 * naming where it pointed (origin and path only: a query may hold a token).
 */
function redirectError(options: IssuerRequestOptions, response: Response): OAuthError {
  const location = response.headers.get('location');
  let pointsTo = '';
  if (location !== null) {
    try {
      const target = new URL(location, options.url);
      pointsTo = ` to ${target.origin}${target.pathname}`;
    } catch {
      // An unreadable Location names no target.
    }
  }
  return new OAuthError(
    'network-error',
    `${capitalize(options.operation)} was answered with a redirect by ${safeOrigin(options.url)} (HTTP ${response.status}${pointsTo}). Redirects are not followed, so your tokens never go to another URL: check the issuer URL (CODETETHER_AUTH_ISSUER).`,
    { status: response.status, isRetryable: false },
  );
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the issuer';
  }
}

function errorCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    return errorCode((error as { cause?: unknown }).cause) ?? errorCode(error) ?? error.message;
  }
  return String(error);
}
