import type { ResponsesStreamEvent } from '@codetether/responses-protocol';
import type { RawData } from 'ws';

/** Why a frame could not be read as a Responses event. */
export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * Decodes one WebSocket message into a Responses event: text frames as JSON, binary frames as UTF-8
 * JSON. The result must be an object with a string `type`.
 *
 * @param data - the message payload as `ws` delivers it
 * @param isBinary - whether it came in a binary frame
 * @throws MalformedFrameError when the payload is not UTF-8, not JSON, or not an event object
 */
export function decodeFrame(data: RawData, isBinary: boolean): ResponsesStreamEvent {
  let text: string;
  try {
    // `ws` has already checked that a text frame is valid UTF-8 (it closes the socket with 1007
    // otherwise), so a Buffer text frame is decoded without a second check.
    text = !isBinary && Buffer.isBuffer(data) ? data.toString('utf8') : utf8.decode(toBytes(data));
  } catch (error) {
    throw new MalformedFrameError(`a ${isBinary ? 'binary' : 'text'} frame was not valid UTF-8`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MalformedFrameError(
      `a ${isBinary ? 'binary' : 'text'} frame was not JSON (${text.length} characters)`,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedFrameError('a frame was JSON but not an event object');
  }
  if (typeof (parsed as { type?: unknown }).type !== 'string') {
    throw new MalformedFrameError('a frame had no string `type`');
  }
  return parsed as ResponsesStreamEvent;
}
