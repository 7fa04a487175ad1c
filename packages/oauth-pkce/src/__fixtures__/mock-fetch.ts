import type { FetchFunction } from '../http-request.js';

/** A request seen by {@link createMockFetch}. */
export interface MockRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  /** The body decoded: form fields or JSON. */
  fields: Record<string, unknown>;
}

/** A handler that answers one request. */
export type MockHandler = (request: MockRequest) => Response | Promise<Response>;

/**
 * Creates a fetch stand-in that records requests and answers with `handler`.
 *
 * @param handler - answers each request
 */
export function createMockFetch(handler: MockHandler): { fetch: FetchFunction; requests: MockRequest[] } {
  const requests: MockRequest[] = [];
  const fetch: FetchFunction = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = typeof init?.body === 'string' ? init.body : '';
    const fields: Record<string, unknown> = headers['content-type']?.includes('json')
      ? (JSON.parse(body) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(body).entries());
    const request: MockRequest = { url, method: init?.method ?? 'GET', headers, body, fields };
    requests.push(request);
    if (init?.signal?.aborted) throw init.signal.reason;
    return handler(request);
  };
  return { fetch, requests };
}

/**
 * A JSON response.
 *
 * @param status - HTTP status
 * @param body - JSON body
 */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
