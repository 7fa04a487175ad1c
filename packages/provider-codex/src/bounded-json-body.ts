import { readBodyPrefix } from './body-prefix.js';

/** Why a JSON body was not read: larger than allowed, or not JSON. */
export class BoundedJsonBodyError extends Error {
  /** `too-large`: over the byte limit (the rest was not read); `not-json`: the bytes are no JSON. */
  readonly code: 'too-large' | 'not-json';

  constructor(code: 'too-large' | 'not-json', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BoundedJsonBodyError';
    this.code = code;
  }
}

/**
 * Reads a response body as JSON, reading at most `maxBytes`: a larger body (by its `content-length` or
 * by what arrives) is cancelled and rejected, so a broken or hostile server cannot make the process
 * buffer an unbounded answer. The time spent is bounded by the request's own abort signal.
 *
 * @param response - a `fetch` response
 * @param maxBytes - the largest body accepted
 * @throws {@link BoundedJsonBodyError} when the body is too large or not JSON
 */
export async function readBoundedJsonBody(response: Response, maxBytes: number): Promise<unknown> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new BoundedJsonBodyError(
      'too-large',
      `The answer is ${declared} bytes; at most ${maxBytes} are read.`,
    );
  }
  const prefix = await readBodyPrefix(response, maxBytes);
  if (prefix.isCut)
    throw new BoundedJsonBodyError(
      'too-large',
      `The answer is over ${maxBytes} bytes; the rest was not read.`,
    );
  try {
    return JSON.parse(new TextDecoder().decode(prefix.bytes));
  } catch (error) {
    throw new BoundedJsonBodyError('not-json', 'The answer is not JSON.', { cause: error });
  }
}
