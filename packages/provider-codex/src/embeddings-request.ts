import { postBackendJson } from './backend-json-request.js';

/** One `POST {openai}/embeddings` request. */
export interface EmbeddingsRequest {
  /** The endpoint's URL. */
  url: string;
  /** The request headers (credentials included). */
  headers: Record<string, string>;
  /** The client's Embeddings body, sent as it is. */
  body: Readonly<Record<string, unknown>>;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
  /** `fetch` to use. */
  fetch: typeof fetch;
  /** Current time, epoch ms. */
  now: number;
}

/** What the OpenAI API answered an embeddings request: its status and JSON body. */
export interface EmbeddingsAnswer {
  /** The HTTP status (2xx). */
  status: number;
  /** The JSON body (`{object: "list", data: [{object: "embedding", index, embedding}], model, usage}`). */
  body: unknown;
}

/**
 * Asks the OpenAI API for embeddings (`POST /embeddings`) with the body as the client sent it.
 *
 * @throws ResponsesTransportError (see `postBackendJson`) for a refusal (its status, `param` and `code`
 *   kept), a redirect or a network failure; CodexProviderError `aborted`
 */
export async function requestEmbeddings(request: EmbeddingsRequest): Promise<EmbeddingsAnswer> {
  const { status, json } = await postBackendJson({
    url: request.url,
    endpointName: 'the embeddings endpoint',
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    fetch: request.fetch,
    now: request.now,
  });
  return { status, body: json };
}
