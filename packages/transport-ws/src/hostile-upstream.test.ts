import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectUntilError, userTurnBody } from './__fixtures__/emulator-requests.js';
import { everyValueText } from './__fixtures__/error-text.js';
import {
  authorizationLineOf,
  type RawUpgradeHandler,
  startRawUpgradeServer,
  switchingProtocols,
  textFrame,
} from './__fixtures__/raw-upgrade-server.js';
import { createWebSocketTransport, type WebSocketTransport } from './web-socket-transport.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

const TIMEOUT = { timeout: 20_000 };
const HEADER_TOKEN = 'tok_ws_header_secret_0123456789';
/** A reset time far beyond what a `Date` can hold (`toISOString()` throws on it). */
const UNREPRESENTABLE_RESET_SECONDS = 1e300;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw upgrade server playing `handler` and a transport; both closed after the test. */
async function setUp(handler: RawUpgradeHandler): Promise<{ url: string; transport: WebSocketTransport }> {
  const server = await startRawUpgradeServer(handler);
  cleanups.push(() => server.close());
  const transport = createWebSocketTransport({ connectTimeoutMs: 10_000, idleEventTimeoutMs: 10_000 });
  cleanups.push(() => transport.close());
  return { url: server.url, transport };
}

function request(url: string) {
  return { url, headers: { Authorization: `Bearer ${HEADER_TOKEN}` }, body: userTurnBody('hi') };
}

async function expectTransportError(promise: Promise<unknown>): Promise<WebSocketTransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebSocketTransportError);
    return error as WebSocketTransportError;
  }
  throw new Error('expected a WebSocketTransportError');
}

describe('odd failure shapes from the server', () => {
  it(
    'fails the turn (and does not crash) on an error event whose reset time no Date can hold',
    TIMEOUT,
    async () => {
      const { url, transport } = await setUp((socket, { key }) => {
        socket.write(switchingProtocols(key));
        socket.once('data', () => {
          socket.write(
            textFrame({
              type: 'error',
              status: 429,
              error: {
                type: 'usage_limit_reached',
                message: 'Limit.',
                resets_at: UNREPRESENTABLE_RESET_SECONDS,
              },
            }),
          );
        });
      });
      const response = await transport.stream(request(url));
      const { error } = await collectUntilError(response.events);
      expect(error).toBeInstanceOf(WebSocketTransportError);
      expect((error as WebSocketTransportError).status).toBe(429);
      expect((error as WebSocketTransportError).fallbackSafe).toBe(true);
      // The socket of a failed turn is discarded, not pooled.
      await vi.waitFor(() =>
        expect(transport.state()).toMatchObject({ activeResponses: 0, openConnections: 0 }),
      );
    },
  );

  it(
    'rejects (and does not crash) on a refused handshake whose reset time no Date can hold',
    TIMEOUT,
    async () => {
      const { url, transport } = await setUp((socket) => {
        const body = JSON.stringify({
          error: {
            type: 'usage_limit_reached',
            message: 'Limit.',
            resets_in_seconds: UNREPRESENTABLE_RESET_SECONDS,
          },
        });
        socket.end(
          `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
      const error = await expectTransportError(transport.stream(request(url)));
      expect(error.status).toBe(429);
      expect(error.fallbackSafe).toBe(true);
    },
  );
});

describe('a malformed upgrade answer that echoes the request', () => {
  it('keeps the token out of the cause, bytes included', TIMEOUT, async () => {
    const { url, transport } = await setUp((socket, { head }) => {
      socket.end(`HTTP/1.1 101 Switching Protocols\r\nbroken ${authorizationLineOf(head)}\r\n\r\n`);
    });
    const error = await expectTransportError(transport.stream(request(url)));
    expect(error.code).toBe('network');
    expect(everyValueText(error)).not.toContain(HEADER_TOKEN);
  });
});

describe('a server that does not answer the upgrade with HTTP', () => {
  it(
    'says it answered with something that is not HTTP (not that it could not be reached)',
    TIMEOUT,
    async () => {
      const { url, transport } = await setUp((socket) => {
        socket.end('SSH-2.0-OpenSSH_9.6\r\n');
      });
      const error = await expectTransportError(transport.stream(request(url)));
      expect(error.code).toBe('network');
      expect(error.serverReply).toBe('not-http');
      expect(error.message).toContain('answered the WebSocket handshake with something that is not HTTP');
      expect(error.fallbackSafe).toBe(true);
    },
  );

  it('says it closed the connection without answering', TIMEOUT, async () => {
    const { url, transport } = await setUp((socket) => {
      socket.destroy();
    });
    const error = await expectTransportError(transport.stream(request(url)));
    expect(error.code).toBe('network');
    expect(error.serverReply).toBe('closed-without-answer');
    expect(error.message).toContain('closed the connection without answering the WebSocket handshake');
  });
});

describe('a protocol violation right after the handshake', () => {
  it('is reported as protocol, not as a retryable close, when it arrives with the 101', TIMEOUT, async () => {
    // A close frame with code 1005, which must never be sent on the wire, in the same write as the 101:
    // ws rejects it before the turn has taken the socket.
    const invalidCloseFrame = Buffer.from([0x88, 2, 0x03, 0xed]);
    const { url, transport } = await setUp((socket, { key }) => {
      socket.write(Buffer.concat([Buffer.from(switchingProtocols(key)), invalidCloseFrame]));
    });
    const response = await transport.stream(request(url));
    const { error } = await collectUntilError(response.events);
    expect(error).toBeInstanceOf(WebSocketTransportError);
    expect((error as WebSocketTransportError).code).toBe('protocol');
    expect((error as WebSocketTransportError).message).toContain('WS_ERR_INVALID_CLOSE_CODE');
    expect((error as WebSocketTransportError).isRetryable).toBe(false);
  });
});

describe('a redirect answer to the upgrade', () => {
  it('is not followed, not retried, and does not advise trying again later', TIMEOUT, async () => {
    const { url, transport } = await setUp((socket) => {
      socket.end(
        'HTTP/1.1 301 Moved\r\nlocation: https://elsewhere.example/responses\r\ncontent-length: 0\r\n\r\n',
      );
    });
    const error = await expectTransportError(transport.stream(request(url)));
    expect(error.code).toBe('http-status');
    expect(error.status).toBe(301);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('redirect');
    expect(error.message).not.toContain('Try again later');
  });
});

describe('an error event sent with the 101, before the request', () => {
  it('fails the turn with that error instead of dropping it and waiting', TIMEOUT, async () => {
    const { url, transport } = await setUp((socket, { key }) => {
      const refusal = textFrame({ type: 'error', status: 401, error: { message: 'Token expired.' } });
      socket.write(Buffer.concat([Buffer.from(switchingProtocols(key)), refusal]));
    });
    const response = await transport.stream(request(url));
    const { error } = await collectUntilError(response.events);
    expect(error).toBeInstanceOf(WebSocketTransportError);
    expect((error as WebSocketTransportError).code).toBe('http-status');
    expect((error as WebSocketTransportError).status).toBe(401);
    expect((error as WebSocketTransportError).serverMessage).toBe('Token expired.');
  });
});
