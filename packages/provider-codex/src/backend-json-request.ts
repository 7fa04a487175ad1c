import {
  describeServerFailure,
  ResponsesTransportError,
  redirectTargetOf,
} from '@codetether/responses-protocol';
import { abortedError } from './errors.js';
import { raceCallerAbort } from './event-iteration.js';

/** One JSON `POST` to a backend endpoint other than `/responses` (compaction, token counting). */
export interface BackendJsonRequest {
  /** The endpoint's URL. */
  url: string;
  /** What the endpoint is called in messages, e.g. "the compaction endpoint". */
  endpointName: string;
  /** The request headers (credentials included). */
  headers: Record<string, string>;
  /** The JSON body. */
  body: unknown;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
  /** `fetch` to use. */
  fetch: typeof fetch;
  /** Current time, epoch ms (for `Retry-After` and usage-limit reset times). */
  now: number;
}

/**
 * Sends the request and resolves a 2xx answer's status and JSON body (`undefined` when the body is not
 * JSON). No redirect is followed (the credentials stay with the backend).
 *
 * @throws ResponsesTransportError (HTTP) for a refusal (described from its body: status, `param`, `code`,
 *   usage limits…), a redirect (`http-status` with the 3xx status, naming where it pointed without its
 *   query) or a network failure, so the caller's usual mapping (token refresh on 401…) applies;
 *   CodexProviderError `aborted` when the signal aborts
 */
export async function postBackendJson(
  request: BackendJsonRequest,
): Promise<{ status: number; json: unknown }> {
  const { signal, endpointName } = request;
  let response: Response;
  try {
    const init: RequestInit = {
      method: 'POST',
      // Never followed: the credential headers must not reach another URL.
      redirect: 'manual',
      headers: request.headers,
      body: JSON.stringify(request.body),
    };
    if (signal !== undefined) init.signal = signal;
    response = await request.fetch(request.url, init);
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal.reason);
    throw new ResponsesTransportError(
      'network',
      `Could not reach ${endpointName}. Check your network connection and the base URL, then try again.`,
      { transport: 'http', isRetryable: true, fallbackSafe: true, cause: error },
    );
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    const target = redirectTargetOf(response.headers.get('location'), request.url);
    const pointsTo = target === undefined ? '' : ` to ${target}`;
    throw new ResponsesTransportError(
      'http-status',
      `${capitalized(endpointName)} answered HTTP ${response.status} (a redirect${pointsTo}), which is not followed so that your credentials never go to another URL. Set the base URL to the endpoint itself.`,
      { transport: 'http', status: response.status, isRetryable: false, fallbackSafe: false },
    );
  }
  const text = await raceCallerAbort(response.text(), signal);
  if (!response.ok) {
    const headers = Object.fromEntries(
      [...response.headers].map(([name, value]) => [name.toLowerCase(), value]),
    );
    const described = describeServerFailure(
      { status: response.status, headers, body: text, now: request.now },
      { lead: `${capitalized(endpointName)} answered HTTP ${response.status}` },
    );
    throw new ResponsesTransportError(described.code, described.message, {
      ...described.details,
      transport: 'http',
      fallbackSafe: false,
    });
  }
  return { status: response.status, json: parsedJson(text) };
}

/** The value of a JSON text, `undefined` when it is not JSON. */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
