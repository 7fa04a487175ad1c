import type { Dispatcher } from 'undici';
import type { HttpAnswer, HttpSender } from './http-answer.js';
import { headersToRecord } from './response-metadata.js';
import type { FetchLike } from './transport-types.js';

/**
 * A sender over an injected `fetch`. It receives `dispatcher` in its `init` only when one is given;
 * otherwise its own connection handling applies. Closing it closes nothing (the caller owns both).
 *
 * @param fetch - the injected `fetch`
 * @param dispatcher - the injected dispatcher, if any
 */
export function createFetchSender(fetch: FetchLike, dispatcher: Dispatcher | undefined): HttpSender {
  return {
    async send(url, init): Promise<HttpAnswer> {
      if (dispatcher !== undefined) Object.assign(init, { dispatcher });
      const response = await fetch(url, init);
      return {
        status: response.status,
        statusText: response.statusText,
        headers: headersToRecord(response.headers),
        body: response.body,
      };
    },
    async close() {},
  };
}
