import type { IncomingMessage } from 'node:http';
import type { FetchInitLike, FetchLike, FetchResponseLike } from '@codetether/transport-http';

// Built-ins through `process.getBuiltinModule` (Node >= 22.3): importing them as ES modules makes Node
// evaluate every export, which costs start-up time. Node 22.0–22.2 import them.
async function builtin<Module>(id: string): Promise<Module> {
  return (process.getBuiltinModule?.(id) as Module | undefined) ?? ((await import(id)) as Module);
}

function headersOf(response: IncomingMessage): FetchResponseLike['headers'] {
  return {
    forEach(callback) {
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) callback(Array.isArray(value) ? value.join(', ') : value, name);
      }
    },
  };
}

/**
 * The `fetch` of the CLI's HTTP transport: one POST over Node's own `http`/`https` client (its
 * global keep-alive agent), answered with the status, the headers and the body as a stream — the
 * part of a `Response` the transport reads ({@link FetchLike}).
 *
 * Why not the built-in `fetch`: its first call loads and sets up undici, measured at 25–35 ms here,
 * which was most of a one-shot `codetether chat` against a nearby server (the CLI's start-up bench);
 * `node:http` is ready at once. What it does not do, and the transport does not need: follow
 * redirects (a redirect is an error status, as the Responses API never redirects), or ask for and
 * decompress compressed bodies. Token refreshes and model lists keep using the built-in `fetch`.
 *
 * @param url - the endpoint
 * @param init - method, headers, JSON body and the abort signal
 */
export const nodeHttpFetch: FetchLike = async (url: string, init: FetchInitLike) => {
  const [client, { Readable }] = await Promise.all([
    builtin<typeof import('node:http')>(url.startsWith('https:') ? 'node:https' : 'node:http'),
    builtin<typeof import('node:stream')>('node:stream'),
  ]);
  return new Promise<FetchResponseLike>((resolve, reject) => {
    const request = client.request(url, { method: init.method, headers: init.headers, signal: init.signal });
    request.once('error', reject);
    request.once('response', (response) => {
      resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: headersOf(response),
        body: Readable.toWeb(response) as ReadableStream<Uint8Array>,
      });
    });
    request.end(init.body);
  });
};
