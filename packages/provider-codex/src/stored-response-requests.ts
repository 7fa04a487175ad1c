import { type ParsedErrorBody, parseErrorBody, redactSecrets } from '@codetether/responses-protocol';
import type { RequestCredentials } from './auth.js';
import { readBodyPrefix } from './body-prefix.js';
import { BoundedJsonBodyError, readBoundedJsonBody } from './bounded-json-body.js';
import { abortedError, CodexProviderError, type UpstreamErrorBody } from './errors.js';
import { linkAbortSignals } from './linked-abort-signal.js';
import { quoteServerText, sentence } from './transport-error-mapping.js';

/** What a stored-response request does: `GET /responses/{id}`, `DELETE /responses/{id}` or `GET …/input_items`. */
export type StoredResponseOperation = 'retrieve' | 'delete' | 'list-input-items';

/** The query parameters forwarded with a stored-response request; any other is left out. */
export const STORED_RESPONSE_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'limit',
  'order',
  'after',
  'before',
  'include[]',
  'include',
]);

/**
 * The response ids forwarded upstream: `resp_` then letters, digits, `_` or `-` (OpenAI's ids are
 * `resp_` and hex), at most 200 characters. Anything else (a path trick, an encoded slash, a huge id)
 * is never sent.
 */
export const FORWARDABLE_RESPONSE_ID = /^resp_[A-Za-z0-9_-]{1,195}$/;

/** The largest stored-response answer read (a response or a page of 100 input items). */
export const MAX_STORED_RESPONSE_BYTES = 32 * 1024 * 1024;

/** How long one stored-response request may take by default, ms. */
export const DEFAULT_STORED_RESPONSE_TIMEOUT_MS = 30_000;

/** Options of {@link CodexProvider.requestStoredResponse}. */
export interface StoredResponseRequest {
  /** What to do. */
  operation: StoredResponseOperation;
  /** The response id (see {@link FORWARDABLE_RESPONSE_ID}). */
  responseId: string;
  /** The query string's parameters (pagination, `include`); only {@link STORED_RESPONSE_QUERY_PARAMETERS} are sent. */
  query?: ReadonlyArray<readonly [string, string]> | undefined;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
}

/** The upstream's answer to a stored-response request that it answered with 2xx. */
export interface StoredResponseAnswer {
  /** The HTTP status (2xx). */
  status: number;
  /** The parsed JSON body, as the upstream sent it (the account's own data). */
  body: unknown;
}

/** What a stored-response request needs from the provider. */
export interface StoredResponseRequestContext {
  /** The OpenAI API base URL (`…/v1`). */
  baseUrl: string;
  /** The credentials to send. */
  credentials: RequestCredentials;
  /** The headers of a JSON request with those credentials. */
  headers: Record<string, string>;
  /** `fetch`. */
  fetch: typeof fetch;
  /** How long the request may take, ms. */
  timeoutMs: number;
}

/** The URL of a stored-response request (the id is checked by the caller). */
function urlOf(baseUrl: string, request: StoredResponseRequest): string {
  const path = `${baseUrl}/responses/${encodeURIComponent(request.responseId)}${
    request.operation === 'list-input-items' ? '/input_items' : ''
  }`;
  const query = new URLSearchParams();
  for (const [name, value] of request.query ?? []) {
    if (STORED_RESPONSE_QUERY_PARAMETERS.has(name) && value.length <= 512) query.append(name, value);
  }
  const search = query.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** The most bytes of an error answer read (an OpenAI error body is a few hundred). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The longest upstream message relayed in `upstreamError`. */
const MAX_UPSTREAM_MESSAGE_LENGTH = 1_000;

/**
 * What the upstream said in a refused request's body: its first {@link MAX_ERROR_BODY_BYTES} read by
 * the shared `parseErrorBody`, every field scrubbed of the key and anything credential-shaped;
 * `undefined` for an empty body or one that broke off (the status is left to go by).
 */
async function errorBodyOf(
  response: Response,
  secrets: readonly string[],
): Promise<ParsedErrorBody | undefined> {
  let text: string;
  try {
    text = new TextDecoder().decode((await readBodyPrefix(response, MAX_ERROR_BODY_BYTES)).bytes);
  } catch {
    return undefined;
  }
  // Scrubbed before parsing, so that no cut (the parser keeps 500 characters of a page) leaves part of a
  // key, and after it, for a key the JSON escaped.
  const parsed = parseErrorBody(redactSecrets(text, secrets));
  if (parsed === undefined) return undefined;
  const scrubbed: ParsedErrorBody = {
    message: redactSecrets(parsed.message, secrets),
    messageSource: parsed.messageSource,
  };
  if (parsed.type !== undefined) scrubbed.type = redactSecrets(parsed.type, secrets);
  if (parsed.code !== undefined) scrubbed.code = redactSecrets(parsed.code, secrets);
  if (parsed.param !== undefined) scrubbed.param = redactSecrets(parsed.param, secrets);
  return scrubbed;
}

/**
 * The error body relayed as `upstreamError`: only a JSON body with the server's own message (an OpenAI
 * error), not a page, plain text or a bare code.
 */
function upstreamErrorOf(body: ParsedErrorBody | undefined): UpstreamErrorBody | undefined {
  if (body?.messageSource !== 'message') return undefined;
  const upstream: UpstreamErrorBody = { message: body.message.slice(0, MAX_UPSTREAM_MESSAGE_LENGTH) };
  if (body.type !== undefined) upstream.type = body.type;
  if (body.code !== undefined) upstream.code = body.code;
  if (body.param !== undefined) upstream.param = body.param;
  return upstream;
}

/**
 * Sends a stored-response request to the OpenAI API (`GET`/`DELETE /responses/{id}`, `GET
 * /responses/{id}/input_items`) with the account's credentials: no redirect is followed (the key must
 * not reach another URL), the time is bounded, and at most {@link MAX_STORED_RESPONSE_BYTES} are read.
 *
 * @returns the 2xx answer, or `undefined` for the upstream's 404 (the response is unknown there too)
 * @throws {@link CodexProviderError} `invalid-request` for an id that is not forwarded or a request the
 *   upstream refused (its status, message, type, code and param), `unauthorized` (401/403),
 *   `rate-limited` (429), `upstream-error` (5xx, a redirect, an oversized or non-JSON answer),
 *   `timeout`, `network-error` or `aborted`
 */
export async function sendStoredResponseRequest(
  context: StoredResponseRequestContext,
  request: StoredResponseRequest,
): Promise<StoredResponseAnswer | undefined> {
  if (!FORWARDABLE_RESPONSE_ID.test(request.responseId))
    throw new CodexProviderError(
      'invalid-request',
      'The response id is not a valid OpenAI response id (resp_ followed by letters, digits, _ or -, at most 200 characters); send the id a response was created with.',
      { status: 400, isRetryable: false },
    );
  if (request.signal?.aborted === true) throw abortedError(request.signal.reason);
  const secrets = [context.credentials.bearerToken];
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const linked =
    request.signal === undefined
      ? { signal: timeout, unlink: () => {} }
      : linkAbortSignals(request.signal, timeout);
  let response: Response;
  try {
    response = await context.fetch(urlOf(context.baseUrl, request), {
      method: request.operation === 'delete' ? 'DELETE' : 'GET',
      headers: context.headers,
      redirect: 'manual',
      signal: linked.signal,
    });
  } catch (error) {
    linked.unlink();
    throw failureOf(error, request.signal, timeout, secrets);
  }
  try {
    if (response.status >= 200 && response.status < 300) {
      return {
        status: response.status,
        body: await readBoundedJsonBody(response, MAX_STORED_RESPONSE_BYTES),
      };
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    const status = response.status;
    if (status >= 300 && status < 400) {
      await response.body?.cancel().catch(() => {});
      throw new CodexProviderError(
        'upstream-error',
        `The OpenAI API answered the stored-response request with a redirect (${status}), which is not followed; check CODETETHER_OPENAI_BASE_URL.`,
        { status, isRetryable: false },
      );
    }
    const errorBody = await errorBodyOf(response, secrets);
    const upstreamError = upstreamErrorOf(errorBody);
    const detail = errorBody === undefined ? undefined : quoteServerText(errorBody.message, secrets);
    const options = { status, ...(upstreamError === undefined ? {} : { upstreamError }) };
    if (status === 401 || status === 403)
      throw new CodexProviderError(
        'unauthorized',
        `${sentence(`The OpenAI API refused the API key (${status})`, detail)} Check OPENAI_API_KEY.`,
        { ...options, isRetryable: false },
      );
    if (status === 429)
      throw new CodexProviderError(
        'rate-limited',
        `${sentence('The OpenAI API is rate limiting requests', detail)} Try again later.`,
        options,
      );
    if (status >= 400 && status < 500)
      throw new CodexProviderError(
        'invalid-request',
        sentence(`The OpenAI API refused the request (${status})`, detail),
        { ...options, isRetryable: false },
      );
    throw new CodexProviderError(
      'upstream-error',
      `${sentence(`The OpenAI API failed to answer the stored-response request (${status})`, detail)} Try again.`,
      options,
    );
  } catch (error) {
    throw failureOf(error, request.signal, timeout, secrets);
  } finally {
    linked.unlink();
  }
}

/** The provider error of a failed request (a provider error as is). */
function failureOf(
  error: unknown,
  callerSignal: AbortSignal | undefined,
  timeout: AbortSignal,
  secrets: readonly string[],
): CodexProviderError {
  if (error instanceof CodexProviderError) return error;
  if (callerSignal?.aborted === true) return abortedError(callerSignal.reason);
  if (timeout.aborted)
    return new CodexProviderError(
      'timeout',
      'The OpenAI API did not answer the stored-response request in time. Try again.',
      { cause: error },
    );
  if (error instanceof BoundedJsonBodyError)
    return new CodexProviderError(
      'upstream-error',
      error.code === 'too-large'
        ? `The OpenAI API's stored-response answer is larger than ${MAX_STORED_RESPONSE_BYTES} bytes; it was not read.`
        : 'The OpenAI API answered the stored-response request with something that is not JSON. Try again.',
      { cause: error, isRetryable: error.code !== 'too-large' },
    );
  const message = error instanceof Error ? quoteServerText(error.message, secrets) : 'unknown failure';
  return new CodexProviderError(
    'network-error',
    `The OpenAI API could not be reached for the stored-response request (${message}). Check the network and CODETETHER_OPENAI_BASE_URL.`,
    { cause: error },
  );
}
