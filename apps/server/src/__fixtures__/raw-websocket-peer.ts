import { connect, type Socket } from 'node:net';

/** WebSocket opcodes (RFC 6455 §5.2). */
export const OPCODES = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** How a hand-made frame is laid out: its FIN bit, its RSV bits, and whether it is masked. */
export interface RawFrameLayout {
  /** The FIN bit (default true). */
  fin?: boolean;
  /** The RSV1–3 bits, as the three bits above the opcode (default 0). */
  reservedBits?: number;
  /** Whether the payload is masked, as a client's must be (default true). */
  masked?: boolean;
}

/**
 * One WebSocket frame, as a client sends it — or, with `layout`, as a broken or hostile one does (no
 * FIN, RSV bits set, unmasked). The mask is fixed, so the bytes are the same on every run.
 *
 * @param opcode - the frame's opcode (see {@link OPCODES}; any 4-bit value)
 * @param payload - its payload
 * @param layout - FIN, RSV bits, masking
 */
export function rawFrame(opcode: number, payload: Buffer | string, layout: RawFrameLayout = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const masked = layout.masked ?? true;
  const first = ((layout.fin ?? true) ? 0x80 : 0) | ((layout.reservedBits ?? 0) << 4) | (opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let head: Buffer;
  if (data.length < 126) head = Buffer.from([first, maskBit | data.length]);
  else if (data.length < 65_536) {
    head = Buffer.alloc(4);
    head.writeUInt8(first, 0);
    head.writeUInt8(maskBit | 126, 1);
    head.writeUInt16BE(data.length, 2);
  } else {
    head = Buffer.alloc(10);
    head.writeUInt8(first, 0);
    head.writeUInt8(maskBit | 127, 1);
    head.writeBigUInt64BE(BigInt(data.length), 2);
  }
  if (!masked) return Buffer.concat([head, data]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.alloc(data.length);
  for (let index = 0; index < data.length; index += 1)
    body[index] = (data[index] ?? 0) ^ (mask[index % 4] ?? 0);
  return Buffer.concat([head, mask, body]);
}

/** A frame the gateway sent, as {@link RawWebSocketPeer} parsed it. */
export interface ReceivedFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** A WebSocket client over a bare TCP socket: it writes whatever bytes a test gives it. */
export interface RawWebSocketPeer {
  /** The TCP socket (already upgraded). */
  readonly socket: Socket;
  /** Frames received so far, in order. */
  readonly frames: ReceivedFrame[];
  /** Resolves once the gateway closed the TCP connection. */
  readonly closed: Promise<void>;
  /** Resolves with the first frame of `opcode` (received already, or when it comes). */
  frameOf(opcode: number): Promise<ReceivedFrame>;
  /** Resolves with the first text frame whose JSON event has `type` (received already, or when it comes). */
  eventOf(type: string): Promise<ReceivedFrame>;
  /** The JSON events of the text frames received so far, in order. */
  events(): ({ type: string } & Record<string, unknown>)[];
  /** Resolves with the code of the gateway's close frame (1005 when it carried none). */
  closeCode(): Promise<number>;
}

/** Parses the unmasked frames a server sends, from the front of `buffer`; returns what is left. */
function parseFrames(buffer: Buffer, into: ReceivedFrame[]): Buffer {
  let rest = buffer;
  for (;;) {
    if (rest.length < 2) return rest;
    const opcode = (rest[0] ?? 0) & 0x0f;
    let length = (rest[1] ?? 0) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (rest.length < 4) return rest;
      length = rest.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (rest.length < 10) return rest;
      length = Number(rest.readBigUInt64BE(2));
      offset = 10;
    }
    if (rest.length < offset + length) return rest;
    into.push({ opcode, payload: rest.subarray(offset, offset + length) });
    rest = rest.subarray(offset + length);
  }
}

/**
 * Opens `/v1/responses` on the gateway at `port` over a bare TCP socket with `authorization`, and
 * resolves once the gateway answered 101; rejects with the head of any other answer.
 *
 * @param port - the gateway's port on 127.0.0.1
 * @param authorization - the `Authorization` header's value
 * @param extraHeaders - more lines of the upgrade request (`Name: value`)
 */
export function openRawWebSocket(
  port: number,
  authorization: string,
  extraHeaders: readonly string[] = [],
): Promise<RawWebSocketPeer> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const frames: ReceivedFrame[] = [];
  const waiting: (() => void)[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let upgraded = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const frameWhere = (matches: (frame: ReceivedFrame) => boolean, what: string): Promise<ReceivedFrame> =>
    new Promise((resolve, reject) => {
      /** Frames before it were checked already (each is looked at once). */
      let checked = 0;
      const check = (): boolean => {
        for (; checked < frames.length; checked += 1) {
          const frame = frames[checked];
          if (frame !== undefined && matches(frame)) {
            resolve(frame);
            return true;
          }
        }
        return false;
      };
      const notify = (): void => {
        if (!check()) waiting.push(notify);
      };
      notify();
      closed.then(() => {
        if (!check()) reject(new Error(`the gateway closed the connection without ${what}`));
      });
    });
  const frameOf = (opcode: number): Promise<ReceivedFrame> =>
    frameWhere((frame) => frame.opcode === opcode, `a frame of opcode ${opcode}`);
  const peer: RawWebSocketPeer = {
    socket,
    frames,
    closed,
    frameOf,
    eventOf(type) {
      return frameWhere(
        (frame) =>
          frame.opcode === OPCODES.text &&
          (JSON.parse(frame.payload.toString('utf8')) as { type?: unknown }).type === type,
        `a ${type} event`,
      );
    },
    events() {
      return frames
        .filter((frame) => frame.opcode === OPCODES.text)
        .map(
          (frame) => JSON.parse(frame.payload.toString('utf8')) as { type: string } & Record<string, unknown>,
        );
    },
    async closeCode() {
      const frame = await frameOf(OPCODES.close);
      return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
    },
  };
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101 ')) {
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          return;
        }
        upgraded = true;
        resolve(peer);
      }
      pending = parseFrames(pending, frames);
      for (const notify of waiting.splice(0)) notify();
    });
    socket.once('close', () => reject(new Error('the gateway closed the connection before answering')));
    socket.write(
      [
        'GET /v1/responses HTTP/1.1',
        'Host: localhost',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        `Authorization: ${authorization}`,
        ...extraHeaders,
        '',
        '',
      ].join('\r\n'),
    );
  });
}
