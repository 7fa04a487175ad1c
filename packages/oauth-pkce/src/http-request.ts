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
 * (retryable); the caller's abort becomes `aborted`. Any HTTP status is returned, not thrown.
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
    const response = await fetchFunction(options.url, { method: 'POST', headers, body, signal });
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
