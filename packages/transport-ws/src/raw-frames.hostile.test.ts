import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectEvents, collectUntilError, userTurnBody } from './__fixtures__/emulator-requests.js';
import { everyValueText } from './__fixtures__/error-text.js';
import { completedResponseEvents } from './__fixtures__/local-web-socket-server.js';
import {
  closeFrame,
  frameHeader,
  Opcode,
  onClientRequests,
  rawFrame,
  readClientFrames,
} from './__fixtures__/raw-frames.js';
import {
  authorizationLineOf,
  type RawUpgradeHandler,
  type RawUpgradeServer,
  startRawUpgradeServer,
  switchingProtocols,
  textFrame,
} from './__fixtures__/raw-upgrade-server.js';
import {
  createWebSocketTransport,
  type WebSocketTransport,
  type WebSocketTransportOptions,
} from './web-socket-transport.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

/*
 * A hostile (or broken) upstream, frame by frame: every case must end in a typed error, leave no
 * socket open on either side, never hang and never show the token.
 */

const TIMEOUT = { timeout: 20_000 };
const HEADER_TOKEN = 'tok_raw_frames_secret_0123456789';
/** Short enough to keep the suite fast; the cases that use it send nothing the timer could miss. */
const IDLE_EVENT_TIMEOUT_MS = 300;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  handler: RawUpgradeHandler,
  options: WebSocketTransportOptions = {},
): Promise<{ server: RawUpgradeServer; transport: WebSocketTransport }> {
  const server = await startRawUpgradeServer(handler);
  cleanups.push(() => server.close());
  const transport = createWebSocketTransport({
    connectTimeoutMs: 10_000,
    idleEventTimeoutMs: IDLE_EVENT_TIMEOUT_MS,
    ...options,
  });
  cleanups.push(() => transport.close());
  return { server, transport };
}

function request(url: string, sessionId?: string) {
  return {
    url,
    headers: { Authorization: `Bearer ${HEADER_TOKEN}`, 'chatgpt-account-id': 'acct_1' },
    body: userTurnBody('hi'),
    sessionId,
  };
}

/**
 * Answers the upgrade, then plays `onRequest` for every `response.create` the client sends; answers
 * the client's close frame like a polite server (so closing does not wait out the grace period).
 */
function upgradeThen(onRequest: (socket: Socket, requestIndex: number) => void): RawUpgradeHandler {
  return (socket, { key }) => {
    socket.write(switchingProtocols(key));
    readClientFrames(socket, (frame) => {
      if (frame.opcode === Opcode.close && !socket.destroyed) socket.end(closeFrame(1000));
    });
    let requests = 0;
    onClientRequests(socket, () => {
      onRequest(socket, requests);
      requests += 1;
    });
  };
}

/** The turn's error: typed, without the token. */
async function turnError(transport: WebSocketTransport, url: string): Promise<WebSocketTransportError> {
  const response = await transport.stream(request(url));
  const { error } = await collectUntilError(response.events);
  return checked(error);
}

async function handshakeError(transport: WebSocketTransport, url: string): Promise<WebSocketTransportError> {
  try {
    await transport.stream(request(url));
  } catch (error) {
    return checked(error);
  }
  throw new Error('expected the handshake to fail');
}

function checked(error: unknown): WebSocketTransportError {
  expect(error).toBeInstanceOf(WebSocketTransportError);
  expect(everyValueText(error)).not.toContain(HEADER_TOKEN);
  return error as WebSocketTransportError;
}

/** Neither side holds a socket any more, and no response is in flight. */
async function expectNoSocketLeft(server: RawUpgradeServer, transport: WebSocketTransport): Promise<void> {
  await vi.waitFor(() => {
    expect(transport.state()).toEqual({
      openConnections: 0,
      countedConnections: 0,
      idleConnections: 0,
      activeResponses: 0,
    });
    expect(server.openSockets()).toBe(0);
  });
}

describe('frames over the size limit', () => {
  it(
    'fails at the header of a 1 GiB frame, without waiting for (or buffering) its bytes',
    TIMEOUT,
    async () => {
      const { server, transport } = await setUp(
        upgradeThen((socket) => {
          // Announces 1 GiB and sends a few bytes of it: a transport that buffers would wait forever.
          socket.write(Buffer.concat([frameHeader(Opcode.text, 2 ** 30), Buffer.from('{"type":')]));
        }),
        { idleEventTimeoutMs: 10_000 },
      );
      const error = await turnError(transport, server.url);
      expect(error.code).toBe('message-too-big');
      expect(error.closeCode).toBe(1009);
      expect(error.isRetryable).toBe(false);
      await expectNoSocketLeft(server, transport);
    },
  );

  it('counts the fragments of one message against the limit', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        const fragment = Buffer.alloc(600, 0x20);
        socket.write(rawFrame(Opcode.text, fragment, false));
        socket.write(rawFrame(Opcode.continuation, fragment, false));
      }),
      { maxPayloadBytes: 1_000, idleEventTimeoutMs: 10_000 },
    );
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('message-too-big');
    await expectNoSocketLeft(server, transport);
  });
});

describe('a server that stops sending events', () => {
  it('times out a message whose fragments never finish', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        socket.write(rawFrame(Opcode.text, '{"type":"response.created",', false));
        socket.write(rawFrame(Opcode.continuation, '"response":', false));
      }),
    );
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('timeout-idle');
    expect(error.isRetryable).toBe(true);
    expect(error.fallbackSafe).toBe(true);
    await expectNoSocketLeft(server, transport);
  });

  it('times out a turn the server only pings, answering every ping', TIMEOUT, async () => {
    let pongs = 0;
    const { server, transport } = await setUp((socket, { key }) => {
      socket.write(switchingProtocols(key));
      readClientFrames(socket, (frame) => {
        if (frame.opcode === Opcode.pong) pongs += 1;
        if (frame.opcode !== Opcode.text) return;
        socket.write(textFrame(completedResponseEvents('x')[0] ?? {}));
        const pinger = setInterval(() => {
          if (socket.destroyed) clearInterval(pinger);
          else socket.write(rawFrame(Opcode.ping, 'p'));
        }, 10);
        socket.once('close', () => clearInterval(pinger));
      });
    });
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('timeout-idle');
    // One event arrived: retrying would repeat it.
    expect(error.fallbackSafe).toBe(false);
    expect(pongs).toBeGreaterThan(0);
    await expectNoSocketLeft(server, transport);
  });

  it('fails a ping flood with protocol instead of queueing pongs without bound', TIMEOUT, async () => {
    const flood = Buffer.concat(Array.from({ length: 5_000 }, () => rawFrame(Opcode.ping, 'p')));
    const { server, transport } = await setUp(
      upgradeThen((socket) => socket.write(flood)),
      {
        idleEventTimeoutMs: 10_000,
      },
    );
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('protocol');
    expect(error.message).toContain('pings faster than they could be answered');
    expect(error.fallbackSafe).toBe(true);
    expect(error.isRetryable).toBe(false);
    await expectNoSocketLeft(server, transport);
  });

  it(
    'times out a server that goes silent mid-response (half-open) and closes the socket',
    TIMEOUT,
    async () => {
      const { server, transport } = await setUp(
        upgradeThen((socket) => {
          socket.write(textFrame(completedResponseEvents('x')[0] ?? {}));
          socket.write(textFrame(completedResponseEvents('x')[1] ?? {}));
        }),
      );
      const response = await transport.stream(request(server.url));
      const { events, error } = await collectUntilError(response.events);
      expect(events).toHaveLength(2);
      const failure = checked(error);
      expect(failure.code).toBe('timeout-idle');
      expect(failure.fallbackSafe).toBe(false);
      await expectNoSocketLeft(server, transport);
    },
  );
});

describe('closes', () => {
  it('reports a connection dropped without a close frame as 1006', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        socket.write(textFrame(completedResponseEvents('x')[0] ?? {}));
        socket.destroy();
      }),
    );
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('closed-before-completion');
    expect(error.closeCode).toBe(1006);
    expect(error.fallbackSafe).toBe(false);
    await expectNoSocketLeft(server, transport);
  });

  it('reports a service-restart close (1012) before any event as retryable', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        socket.end(closeFrame(1012, 'restarting'));
      }),
    );
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('closed-before-completion');
    expect(error.closeCode).toBe(1012);
    expect(error.isRetryable).toBe(true);
    expect(error.fallbackSafe).toBe(true);
    await expectNoSocketLeft(server, transport);
  });

  it(
    'reports a close code no server may send, or a reason that is not UTF-8, as protocol',
    TIMEOUT,
    async () => {
      for (const frame of [closeFrame(999), closeFrame(1000, Buffer.from([0xff, 0xfe]))]) {
        const { server, transport } = await setUp(upgradeThen((socket) => socket.write(frame)));
        const error = await turnError(transport, server.url);
        expect(error.code).toBe('protocol');
        expect(error.isRetryable).toBe(false);
        await expectNoSocketLeft(server, transport);
      }
    },
  );

  it('keeps a token out of a close reason that echoes it', TIMEOUT, async () => {
    const { server, transport } = await setUp((socket, { key, head }) => {
      socket.write(switchingProtocols(key));
      onClientRequests(socket, () => socket.write(closeFrame(4000, authorizationLineOf(head).slice(0, 120))));
    });
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('closed-before-completion');
    expect(error.closeCode).toBe(4000);
    await expectNoSocketLeft(server, transport);
  });
});

describe('handshake answers', () => {
  it.each([301, 302, 307, 308])(
    'does not follow a %i to another host: the token never leaves for it',
    TIMEOUT,
    async (status) => {
      const elsewhere = await startRawUpgradeServer((socket) => socket.destroy());
      cleanups.push(() => elsewhere.close());
      const { server, transport } = await setUp((socket) => {
        socket.end(
          `HTTP/1.1 ${status} Moved\r\nlocation: ${elsewhere.url.replace('http:', 'ws:')}\r\ncontent-length: 0\r\n\r\n`,
        );
      });
      const error = await handshakeError(transport, server.url);
      expect(error.code).toBe('http-status');
      expect(error.status).toBe(status);
      expect(error.isRetryable).toBe(false);
      expect(elsewhere.accepted()).toBe(0);
      await expectNoSocketLeft(server, transport);
    },
  );

  it('reports the status of a refusal whose body never ends, at the handshake timeout', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      (socket) => {
        socket.write(
          'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n',
        );
        socket.write('{"error":{"message":"Token expired.');
      },
      { connectTimeoutMs: 300 },
    );
    const error = await handshakeError(transport, server.url);
    expect(error.code).toBe('http-status');
    expect(error.status).toBe(401);
    expect(error.isRetryable).toBe(false);
    await expectNoSocketLeft(server, transport);
  });

  it('refuses a 101 with a wrong Sec-WebSocket-Accept', TIMEOUT, async () => {
    const { server, transport } = await setUp((socket) => {
      socket.write(switchingProtocols('not-the-key-that-was-sent'));
    });
    const error = await handshakeError(transport, server.url);
    expect(error.code).toBe('network');
    expect(error.fallbackSafe).toBe(true);
    expect(error.message).toContain('Sec-WebSocket-Accept');
    await expectNoSocketLeft(server, transport);
  });

  it.each([
    [401, false],
    [403, false],
    [429, true],
    [503, true],
  ])(
    'reads only the start of a huge %i body, then drops the connection',
    TIMEOUT,
    async (status, retryable) => {
      const chunk = `${'x'.repeat(64 * 1024 - 1)}\n`;
      let written = 0;
      const { server, transport } = await setUp((socket) => {
        socket.write(
          `HTTP/1.1 ${status} Refused\r\ncontent-type: text/plain\r\ncontent-length: ${2 ** 30}\r\n\r\n`,
        );
        const pump = (): void => {
          while (!socket.destroyed && written < 2 ** 30) {
            written += chunk.length;
            if (!socket.write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
      const error = await handshakeError(transport, server.url);
      expect(error.code).toBe('http-status');
      expect(error.status).toBe(status);
      expect(error.isRetryable).toBe(retryable);
      expect(error.message.length).toBeLessThan(2_000);
      await expectNoSocketLeft(server, transport);
      expect(written).toBeLessThan(2 ** 30);
    },
  );
});

describe('error events', () => {
  it('cuts a huge server message short in the error', TIMEOUT, async () => {
    const huge = 'overloaded '.repeat(100_000);
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        const event = { type: 'error', status: 503, error: { type: 'server_error', message: huge } };
        socket.write(rawFrame(Opcode.text, JSON.stringify(event)));
      }),
    );
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('http-status');
    expect(error.status).toBe(503);
    expect(error.isRetryable).toBe(true);
    expect(error.message.length).toBeLessThan(4_000);
    expect((error.serverMessage ?? '').length).toBeLessThan(4_000);
    await expectNoSocketLeft(server, transport);
  });
});

describe('events that do not belong to the turn', () => {
  it('fails a turn that receives the terminal event of another response', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        socket.write(
          textFrame({ type: 'response.created', response: { id: 'resp_mine', status: 'in_progress' } }),
        );
        socket.write(
          textFrame({ type: 'response.completed', response: { id: 'resp_other', status: 'completed' } }),
        );
      }),
    );
    const error = await turnError(transport, server.url);
    expect(error.code).toBe('protocol');
    expect(error.message).toContain('another response');
    expect(error.fallbackSafe).toBe(false);
    await expectNoSocketLeft(server, transport);
  });
});

describe('a reused session', () => {
  it(
    'drops a late event of the previous response and does not reuse that socket again',
    TIMEOUT,
    async () => {
      const responseEvents = (id: string) => [
        { type: 'response.created', response: { id, status: 'in_progress' } },
        {
          type: 'response.output_text.delta',
          item_id: 'msg_1',
          output_index: 0,
          content_index: 0,
          delta: id,
        },
        { type: 'response.completed', response: { id, status: 'completed' } },
      ];
      const { server, transport } = await setUp(
        upgradeThen((socket, index) => {
          // The second request first gets a duplicate of the first response's terminal event.
          if (index === 1) socket.write(textFrame(responseEvents('resp_1')[2] ?? {}));
          for (const event of responseEvents(`resp_${index + 1}`)) socket.write(textFrame(event));
        }),
      );
      const first = await collectEvents((await transport.stream(request(server.url, 's'))).events);
      expect(first.map((event) => event.type)).toHaveLength(3);
      const second = await collectEvents((await transport.stream(request(server.url, 's'))).events);
      expect(second).toEqual(responseEvents('resp_2'));
      const third = await collectEvents((await transport.stream(request(server.url, 's'))).events);
      expect(third.at(-1)?.type).toBe('response.completed');
      expect(server.accepted()).toBe(2);
    },
  );

  it('still works with a server that gives every response the same id', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        for (const event of completedResponseEvents('x')) socket.write(textFrame(event));
      }),
    );
    for (let turn = 0; turn < 3; turn += 1) {
      const events = await collectEvents((await transport.stream(request(server.url, 's'))).events);
      expect(events).toEqual(completedResponseEvents('x'));
    }
    expect(server.accepted()).toBe(1);
  });

  it('reconnects once when the server closed the idle socket between two turns', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket, index) => {
        for (const event of completedResponseEvents('x')) socket.write(textFrame(event));
        // After the first turn the server drops the socket without a close frame.
        if (index === 0) socket.destroy();
      }),
    );
    const first = await transport.stream(request(server.url, 's'));
    expect((await collectEvents(first.events)).at(-1)?.type).toBe('response.completed');
    const second = await transport.stream(request(server.url, 's'));
    expect((await collectEvents(second.events)).at(-1)?.type).toBe('response.completed');
    expect(server.accepted()).toBe(2);
    await transport.close();
    await vi.waitFor(() => expect(server.openSockets()).toBe(0));
  });

  it(
    'sends the request once per socket: a silent pooled socket gets one resend, no more',
    TIMEOUT,
    async () => {
      const requestsPerSocket: number[] = [];
      const { server, transport } = await setUp(
        (socket, { key }) => {
          socket.write(switchingProtocols(key));
          const socketIndex = requestsPerSocket.push(0) - 1;
          onClientRequests(socket, () => {
            requestsPerSocket[socketIndex] = (requestsPerSocket[socketIndex] ?? 0) + 1;
            // The first socket answers its first turn only, then goes silent (half-open).
            if (socketIndex === 0 && requestsPerSocket[socketIndex] !== 1) return;
            for (const event of completedResponseEvents('x')) socket.write(textFrame(event));
          });
        },
        { connectTimeoutMs: 200, idleEventTimeoutMs: 10_000 },
      );
      const first = await transport.stream(request(server.url, 's'));
      await collectEvents(first.events);
      const second = await transport.stream(request(server.url, 's'));
      expect((await collectEvents(second.events)).at(-1)?.type).toBe('response.completed');
      expect(requestsPerSocket).toEqual([2, 1]);
      await transport.close();
      await vi.waitFor(() => expect(server.openSockets()).toBe(0));
    },
  );
});

describe('many concurrent turns', () => {
  it('completes every turn, keeps one idle socket per session and leaks none', TIMEOUT, async () => {
    const { server, transport } = await setUp(
      upgradeThen((socket) => {
        for (const event of completedResponseEvents('x')) socket.write(textFrame(event));
      }),
    );
    const sessions = Array.from({ length: 40 }, (_, index) => `session-${index}`);
    const results = await Promise.all(
      sessions.map(async (sessionId) =>
        collectEvents((await transport.stream(request(server.url, sessionId))).events),
      ),
    );
    for (const events of results) expect(events.at(-1)?.type).toBe('response.completed');
    expect(transport.state()).toEqual({
      openConnections: 40,
      countedConnections: 40,
      idleConnections: 40,
      activeResponses: 0,
    });
    await Promise.all(sessions.map((sessionId) => transport.closeSession(sessionId)));
    await expectNoSocketLeft(server, transport);
  });
});
