import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import type { EmulatorContext } from '../context.js';
import { parseBodyText } from '../http-utilities.js';
import { createId } from '../ids.js';
import type { RequestRecordUpdate } from '../request-recording.js';
import { apiError } from './error-bodies.js';
import { playEvents } from './event-playback.js';
import { type PreparedStream, prepareResponse, rememberCompleted } from './prepare-response.js';
import { rateLimitEvent } from './rate-limit-event.js';
import type { ResponsesBackend } from './request-validation.js';
import type { ResponsesEvent } from './response-events.js';
import type { RememberedResponse } from './stored-responses.js';

/** Largest WebSocket frame accepted (bytes); bigger frames close the socket with 1009. */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/** The real services' cap on a connection's age: 60 minutes. */
export const DEFAULT_MAX_CONNECTION_AGE_MS = 60 * 60 * 1000;

/** Buffered bytes above which the sender waits for the socket to drain. */
const HIGH_WATER_MARK = 1024 * 1024;

/** Longest delay `setTimeout` honours; longer ages are re-checked in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** Records one received frame and returns what completes its record. */
export type FrameRecorder = (
  request: IncomingMessage,
  body: unknown,
  frame: { connectionId: string; bytesReceived: number },
) => RequestRecordUpdate;

/**
 * Serves one accepted WebSocket connection: each `response.create` frame runs one response (a
 * `codex.rate_limits` event first on the ChatGPT backend, then one JSON event per frame), one at a
 * time (`response_already_in_flight` otherwise). The connection remembers its last completed
 * response — id, effective input and output items — so the next request may continue from it with
 * `previous_response_id`; any refused request forgets it. `response.processed` frames are accepted
 * silently. Past `maxConnectionAgeMs` the connection ends with a `websocket_connection_limit_reached`
 * error event and a close. Failures arrive as `{type:"error", status_code, error, headers}` events
 * and leave the socket open.
 *
 * @param context - emulator state
 * @param backend - which service
 * @param request - the handshake request (its headers apply to every frame)
 * @param connection - the accepted socket
 * @param recordFrame - records each frame
 */
export function serveConnection(
  context: EmulatorContext,
  backend: ResponsesBackend,
  request: IncomingMessage,
  connection: WebSocket,
  recordFrame: FrameRecorder,
): void {
  const served = new ResponsesConnection(context, backend, request, connection, recordFrame);
  connection.on('message', (data: RawData, isBinary: boolean) => {
    try {
      served.handleFrame(data, isBinary);
    } catch (error) {
      // A bug or an input nobody foresaw must cost one response, never the whole server.
      served.sendError(
        500,
        apiError(
          `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
          'server_error',
          'emulator_error',
        ),
      );
    }
  });
}

/** The state of one connection: its id, age, the response in flight and the last one completed. */
class ResponsesConnection {
  private readonly connectionId = createId('conn', 12);
  private readonly openedAt = performance.now();
  private readonly controller = new AbortController();
  private busy = false;
  private lastResponse: RememberedResponse | undefined;
  private ageTimer: NodeJS.Timeout | undefined;
  /** Sends made while the buffer was full and not yet written out; frames are read again at 0. */
  private sendsWaitingForDrain = 0;

  constructor(
    private readonly context: EmulatorContext,
    private readonly backend: ResponsesBackend,
    private readonly request: IncomingMessage,
    private readonly connection: WebSocket,
    private readonly recordFrame: FrameRecorder,
  ) {
    const abort = () => this.controller.abort();
    context.closing.addEventListener('abort', abort, { once: true });
    connection.on('close', () => {
      this.controller.abort();
      clearTimeout(this.ageTimer);
      context.closing.removeEventListener('abort', abort);
    });
    connection.on('error', () => connection.terminate());
    this.checkAge();
  }

  /**
   * Sends one event; returns a promise when the socket's buffer is full (back-pressure). While the
   * buffer is full, no more frames are read from the client: one that sends but does not read its
   * answers cannot make the emulator buffer an `error` event for every frame without bound.
   */
  sendEvent(event: Record<string, unknown>): undefined | Promise<void> {
    const connection = this.connection;
    if (connection.readyState !== connection.OPEN) return undefined;
    const text = JSON.stringify(event);
    if (connection.bufferedAmount < HIGH_WATER_MARK) {
      connection.send(text);
      return undefined;
    }
    this.sendsWaitingForDrain += 1;
    connection.pause();
    return new Promise<void>((resolve) => {
      connection.send(text, () => {
        this.sendsWaitingForDrain -= 1;
        if (this.sendsWaitingForDrain === 0) connection.resume();
        resolve();
      });
    });
  }

  /** Sends `{type:"error", status_code, error, headers}` for an OpenAI-style error body. */
  sendError(status: number, body: unknown, headers: Record<string, string> = {}): void {
    const error =
      typeof body === 'object' && body !== null && 'error' in body
        ? (body as { error: unknown }).error
        : body;
    this.sendEvent({ type: 'error', status_code: status, error, headers });
  }

  /** Handles one frame: size check, recording, then `response.create` / `response.processed`. */
  handleFrame(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const limit = Math.min(MAX_FRAME_BYTES, this.context.options().maxBodyBytes ?? MAX_FRAME_BYTES);
    if (bytes.length > limit) {
      // What the real service does with an oversized frame: close with 1009 (message too big).
      this.connection.close(1009, 'Message too big');
      return;
    }
    const text = bytes.toString('utf8');
    const parsed = isBinary ? undefined : parseBodyText(text, 'application/json');
    const frame = parsed?.kind === 'json' ? parsed.value : undefined;
    const recorded = this.recordFrame(this.request, frame ?? text, {
      connectionId: this.connectionId,
      bytesReceived: bytes.length,
    });
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      const reason = parsed?.kind === 'invalid' ? ` This one could not be parsed (${parsed.reason}).` : '';
      this.sendError(
        400,
        apiError(`Frames must be JSON objects.${reason}`, 'invalid_request_error', 'invalid_json'),
      );
      return;
    }
    const body = frame as Record<string, unknown>;
    if (body.type === 'response.processed') return;
    if (body.type !== 'response.create') {
      this.sendError(
        400,
        apiError(
          `Unsupported frame type "${String(body.type)}": send {"type":"response.create", ...}.`,
          'invalid_request_error',
          'unsupported_event_type',
          'type',
        ),
      );
      return;
    }
    this.handleCreate(body, recorded);
  }

  private handleCreate(body: Record<string, unknown>, recorded: RequestRecordUpdate): void {
    if (this.busy) {
      this.sendError(
        409,
        apiError(
          'A response is already in progress on this connection; wait for it to finish (one response at a time per connection).',
          'invalid_request_error',
          'response_already_in_flight',
        ),
      );
      return;
    }
    if (this.isTooOld()) {
      this.endForAge();
      return;
    }
    const { type: _type, ...requestBody } = body;
    const prepared = prepareResponse(this.context, {
      backend: this.backend,
      headers: this.request.headers,
      body: requestBody,
      transport: 'websocket',
      connectionLastResponse: this.lastResponse,
    });
    if (prepared.scenario !== undefined) recorded.scenario(prepared.scenario);
    // Whatever this request answers, the previous response is no longer this connection's last one.
    this.lastResponse = undefined;
    if (prepared.kind === 'failure') {
      const rateLimitHeaders =
        prepared.status === 429 && this.backend === 'chatgpt'
          ? this.context.rateLimits.exhaustedHeaders()
          : {};
      this.sendError(prepared.status, prepared.body, { ...rateLimitHeaders, ...prepared.headers });
      return;
    }
    this.busy = true;
    this.run(prepared, recorded)
      .catch(() => this.connection.terminate())
      .finally(() => {
        this.busy = false;
        if (this.isTooOld()) this.endForAge();
      });
  }

  private async run(prepared: PreparedStream, recorded: RequestRecordUpdate): Promise<void> {
    const cut = prepared.outcome.cut;
    if (this.backend === 'chatgpt' && !(cut !== undefined && cut.afterEvents === 0)) {
      await this.sendEvent(rateLimitEvent(this.context.rateLimits.nextHeaders()));
    }
    const end = await playEvents(
      prepared,
      (event: ResponsesEvent) => this.sendEvent(event),
      this.controller.signal,
    );
    recorded.streamEnded(end);
    if (end === 'cut' && cut !== undefined) {
      if (cut.how === 'close-1011') this.connection.close(1011, 'Internal server error');
      else this.connection.terminate();
      return;
    }
    if (end === 'completed' && prepared.continuable) {
      this.lastResponse = rememberCompleted(this.context, prepared);
    }
  }

  /** The age cap now in force (`undefined`: none). */
  private maxAgeMs(): number | undefined {
    const value = this.context.options().maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS;
    return value > 0 && Number.isFinite(value) ? value : undefined;
  }

  private isTooOld(): boolean {
    const limit = this.maxAgeMs();
    return limit !== undefined && performance.now() - this.openedAt >= limit;
  }

  private endForAge(): void {
    if (this.connection.readyState !== this.connection.OPEN) return;
    this.sendError(400, connectionLimitError(this.maxAgeMs() ?? 0));
    this.connection.close(1000, 'websocket_connection_limit_reached');
  }

  /** Ends an idle connection once it reaches the cap (re-armed until then). */
  private checkAge(): void {
    this.ageTimer = undefined;
    const limit = this.maxAgeMs();
    if (limit === undefined || this.connection.readyState !== this.connection.OPEN) return;
    const remaining = limit - (performance.now() - this.openedAt);
    if (remaining > 0) {
      this.ageTimer = setTimeout(() => this.checkAge(), Math.min(Math.ceil(remaining), MAX_TIMER_MS));
      this.ageTimer.unref();
      return;
    }
    // A streaming response finishes first; its end checks the age again.
    if (!this.busy) this.endForAge();
  }
}

/**
 * The error the real services send when a connection reaches its age cap (the official client
 * reconnects and resends the full input).
 *
 * @param limitMs - the cap
 */
function connectionLimitError(limitMs: number) {
  const minutes = limitMs / 60_000;
  const age = Number.isInteger(minutes) ? `${minutes} minutes` : `${limitMs} ms`;
  return apiError(
    `Responses websocket connection limit reached (${age}). Create a new websocket connection to continue.`,
    'invalid_request_error',
    'websocket_connection_limit_reached',
  );
}
