import type { Socket } from 'node:net';

/** WebSocket opcodes a hostile server test writes. */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** The header of one unmasked server frame announcing `length` payload bytes (any size, 1 GiB included). */
export function frameHeader(opcode: number, length: number, final = true): Buffer {
  const first = (final ? 0x80 : 0) | opcode;
  if (length < 126) return Buffer.from([first, length]);
  if (length < 0x10000) return Buffer.from([first, 126, length >> 8, length & 0xff]);
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** One unmasked server frame carrying `payload`. */
export function rawFrame(opcode: number, payload: Buffer | string, final = true): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([frameHeader(opcode, bytes.length, final), bytes]);
}

/** A close frame with `code` and `reason` (raw bytes, so an invalid UTF-8 reason can be sent). */
export function closeFrame(code: number, reason: Buffer | string = ''): Buffer {
  const codeBytes = Buffer.alloc(2);
  codeBytes.writeUInt16BE(code, 0);
  return rawFrame(
    Opcode.close,
    Buffer.concat([codeBytes, typeof reason === 'string' ? Buffer.from(reason) : reason]),
  );
}

/** One frame the client sent (unmasked payload). */
export interface ClientFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Reads the (masked) frames the client sends on `socket` after the handshake and calls `onFrame` for
 * each complete one. Enough for the small frames a transport sends (requests, pongs, close).
 */
export function readClientFrames(socket: Socket, onFrame: (frame: ClientFrame) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const opcode = (buffered[0] ?? 0) & 0x0f;
      let length = (buffered[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = ((buffered[1] ?? 0) & 0x80) !== 0;
      const maskLength = masked ? 4 : 0;
      if (buffered.length < offset + maskLength + length) return;
      const mask = buffered.subarray(offset, offset + maskLength);
      const payload = Buffer.from(buffered.subarray(offset + maskLength, offset + maskLength + length));
      if (masked) {
        for (let index = 0; index < payload.length; index += 1) {
          payload[index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
        }
      }
      buffered = buffered.subarray(offset + maskLength + length);
      onFrame({ opcode, payload });
    }
  });
}

/** Calls `onRequest` with each `response.create` text frame the client sends (parsed). */
export function onClientRequests(
  socket: Socket,
  onRequest: (request: Record<string, unknown>) => void,
): void {
  readClientFrames(socket, (frame) => {
    if (frame.opcode === Opcode.text)
      onRequest(JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>);
  });
}
