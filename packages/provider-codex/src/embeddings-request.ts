import { type BackendJsonRequest, postBackendJson } from './backend-json-request.js';

/** One `POST {openai}/embeddings` request: the client's Embeddings body, sent as it is. */
export type EmbeddingsRequest = Omit<BackendJsonRequest, 'endpointName'>;

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
  const { status, json } = await postBackendJson({ ...request, endpointName: 'the embeddings endpoint' });
  return { status, body: json };
}
