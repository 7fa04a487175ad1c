import { PassThrough, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HttpTransportError } from './http-transport-error.js';

/**
 * The content codings the undici sender undoes. The transport sends no `Accept-Encoding`, which by
 * RFC 9110 §12.5.3 allows any coding, so a server or proxy may compress the event stream.
 */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** A compressed body that could not be decompressed (corrupt or truncated data). */
export class ContentDecodingError extends Error {
  /** The answer's `content-encoding`. */
  readonly contentEncoding: string;

  /**
   * @param contentEncoding - the answer's `content-encoding`
   * @param cause - the decompressor's error
   */
  constructor(contentEncoding: string, cause: unknown) {
    super(`The ${contentEncoding} body could not be decompressed.`, { cause });
    this.name = 'ContentDecodingError';
    this.contentEncoding = contentEncoding;
  }
}

/** The codings of a `content-encoding` value, in the order they were applied, without `identity`. */
function contentCodingsOf(contentEncoding: string | undefined): string[] {
  if (contentEncoding === undefined) return [];
  return contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/**
 * True when {@link decodeContent} can undo every coding of `contentEncoding` (none, `identity`,
 * `gzip`, `x-gzip`, `deflate`, `br`, or a list of them).
 *
 * @param contentEncoding - the answer's `content-encoding` header, if any
 */
export function isDecodableContentEncoding(contentEncoding: string | undefined): boolean {
  return contentCodingsOf(contentEncoding).every((coding) => DECODERS[coding] !== undefined);
}

/**
 * The decoded body of an answer whose `content-encoding` {@link isDecodableContentEncoding} accepts:
 * `body` itself when nothing was applied, else a stream that undoes the codings (last applied, first
 * undone). A body failure (reset, abort) fails the decoded stream with the same error; corrupt data
 * fails it with a {@link ContentDecodingError}. Destroying the decoded stream before its end
 * destroys `body` (which aborts the request).
 *
 * @param body - the raw body (undici `request()`)
 * @param contentEncoding - the answer's `content-encoding` header
 */
export function decodeContent(body: Readable, contentEncoding: string | undefined): Readable {
  const codings = contentCodingsOf(contentEncoding);
  if (codings.length === 0) return body;
  const decoded = new PassThrough();
  const decoders: Transform[] = [];
  body.on('error', (error) => decoded.destroy(error));
  let upstream: Readable = body;
  for (const coding of codings.reverse()) {
    const decoder = (DECODERS[coding] as () => Transform)();
    decoder.on('error', (error) =>
      decoded.destroy(new ContentDecodingError(contentEncoding ?? coding, error)),
    );
    decoders.push(decoder);
    upstream = upstream.pipe(decoder);
  }
  upstream.pipe(decoded);
  decoded.once('close', () => {
    if (!body.readableEnded && !body.destroyed) body.destroy();
    for (const decoder of decoders) decoder.destroy();
  });
  return decoded;
}

/** What is known about the answer whose body could not be decoded. */
export interface ContentDecodingContext {
  /** The endpoint's origin, for the message. */
  origin: string;
  /** HTTP status of the answer. */
  status: number;
  /** The request id of the answer, if any. */
  requestId?: string | undefined;
  /** True once at least one event was delivered. */
  outputStarted: boolean;
  /** Attempts made so far. */
  attempts: number;
}

/**
 * The `protocol` error for an event stream the transport cannot decode: a coding it does not
 * support (`cause` undefined), or corrupt compressed data (`cause` the {@link ContentDecodingError}).
 *
 * @param contentEncoding - the answer's `content-encoding`
 * @param cause - the decoding failure, if the data was corrupt
 * @param context - origin, status, request id, output state and attempts
 */
export function createContentEncodingError(
  contentEncoding: string,
  cause: ContentDecodingError | undefined,
  context: ContentDecodingContext,
): HttpTransportError {
  const shown = JSON.stringify(contentEncoding.slice(0, 64));
  const message =
    cause === undefined
      ? `${context.origin} answered with content-encoding ${shown}, which the HTTP transport cannot decode (it decodes gzip, deflate and br). Configure the server or proxy not to encode the event stream this way.`
      : `The response stream from ${context.origin} (content-encoding ${shown}) could not be decompressed: the server or a proxy sent corrupt data. ${
          context.outputStarted ? 'Part of the answer was already delivered; send' : 'Send'
        } the request again; if it keeps happening, check the proxy between you and the server.`;
  return new HttpTransportError('protocol', message, {
    ...(cause === undefined ? {} : { cause }),
    status: context.status,
    requestId: context.requestId,
    isRetryable: false,
    fallbackSafe: !context.outputStarted,
    attempts: context.attempts,
  });
}
