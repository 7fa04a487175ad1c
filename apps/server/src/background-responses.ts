import { formatSseFrame } from './frame-stream.js';
import { isRecord } from './is-record.js';
import { GatewayError } from './openai-error.js';

/** The most background responses running at once, all keys together (beyond it: 429). */
export const DEFAULT_MAX_RUNNING_BACKGROUND_RESPONSES = 64;
/** The most background responses kept (running and ended), all keys together; the oldest ended one goes first. */
export const DEFAULT_MAX_KEPT_BACKGROUND_RESPONSES = 256;
/** How long an ended background response stays retrievable here, in ms (the conversation index's default). */
export const DEFAULT_BACKGROUND_RESPONSE_MAX_AGE_MS = 30 * 60 * 1000;
/**
 * The most bytes of events one background response keeps for resumed streams: beyond it its oldest
 * events go (a stream resumed before them is refused; its newest events and final object stay).
 */
export const DEFAULT_MAX_BACKGROUND_EVENT_BYTES = 8 * 1024 * 1024;
/** The most bytes of events all background responses keep together; the oldest ended response's go first. */
export const DEFAULT_MAX_BACKGROUND_TOTAL_EVENT_BYTES = 128 * 1024 * 1024;

/** Limits of a {@link BackgroundResponseRegistry}. */
export interface BackgroundResponseLimits {
  /** See {@link DEFAULT_MAX_RUNNING_BACKGROUND_RESPONSES}. */
  maxRunning?: number | undefined;
  /** See {@link DEFAULT_MAX_KEPT_BACKGROUND_RESPONSES}. */
  maxKept?: number | undefined;
  /** See {@link DEFAULT_BACKGROUND_RESPONSE_MAX_AGE_MS}. */
  maxAgeMs?: number | undefined;
  /** See {@link DEFAULT_MAX_BACKGROUND_EVENT_BYTES}. */
  maxEventBytes?: number | undefined;
  /** See {@link DEFAULT_MAX_BACKGROUND_TOTAL_EVENT_BYTES}. */
  maxTotalEventBytes?: number | undefined;
}

/** Where a background response is: running, or how it ended. */
export type BackgroundResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

const TERMINAL_STATUSES: Readonly<Record<string, BackgroundResponseStatus>> = {
  'response.completed': 'completed',
  'response.incomplete': 'incomplete',
  'response.failed': 'failed',
};

/**
 * One response the gateway runs in the background (`background: true`): it goes on whether or not a
 * client reads it. It keeps its events as SSE frames, numbered 0, 1, 2 … (`sequence_number`), so
 * that any number of clients can stream it from any point (`starting_after`), and its latest response
 * object for a retrieve. Made by {@link BackgroundResponseRegistry.start}.
 */
export class BackgroundResponse {
  /** Where it is. */
  status: BackgroundResponseStatus = 'in_progress';
  /** The latest response object an event carried (`background: true`; the final one once it ended). */
  response: Record<string, unknown>;
  /** When it ended (epoch ms), or `undefined` while it runs. */
  endedAt: number | undefined;
  /** The bytes of the frames it keeps. */
  eventBytes = 0;
  /** Its kept frames: `frames[i]` has sequence number `firstSequenceNumber + i`. */
  private frames: string[] = [];
  private firstSequenceNumber = 0;
  private nextSequenceNumber = 0;
  /** Woken at every new frame and at the end. */
  private waiters = new Set<() => void>();
  private readonly stopUpstream: (reason: Error) => void;
  private readonly onEnd: (response: BackgroundResponse) => void;
  private readonly maxEventBytes: number;

  /**
   * @param clientTag - the tag of the key that created it (no other key sees it)
   * @param id - the response id (the upstream's)
   * @param hooks - stops its upstream (cancel); told once it ended; the per-response event byte limit
   */
  constructor(
    readonly clientTag: string,
    readonly id: string,
    response: Record<string, unknown>,
    hooks: {
      stopUpstream: (reason: Error) => void;
      onEnd: (response: BackgroundResponse) => void;
      maxEventBytes: number;
    },
  ) {
    this.response = { ...response, background: true };
    this.stopUpstream = hooks.stopUpstream;
    this.onEnd = hooks.onEnd;
    this.maxEventBytes = hooks.maxEventBytes;
  }

  /** Whether it ended (completed, incomplete, failed or cancelled). */
  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  /**
   * Adds an upstream event: numbers it, marks the response object it carries as a background one (and
   * keeps that object), keeps its frame and wakes the streams waiting for it. A terminal event ends the
   * response. Nothing is added once it ended (a cancelled response's late events are dropped).
   *
   * @param event - a Responses event (`type` `response.*` or `error`), changed in place
   * @param now - the time, epoch ms
   */
  push(event: Record<string, unknown> & { type: string }, now: number): void {
    if (this.ended) return;
    event.sequence_number = this.nextSequenceNumber;
    this.nextSequenceNumber += 1;
    if (isRecord(event.response)) {
      event.response.background = true;
      this.response = event.response;
    }
    const frame = formatSseFrame(event, event.type);
    this.frames.push(frame);
    this.eventBytes += frame.length;
    // The newest events are the ones a resumed stream needs: the oldest go first.
    while (this.eventBytes > this.maxEventBytes && this.frames.length > 1) this.dropOldestFrame();
    const terminal = TERMINAL_STATUSES[event.type];
    if (terminal !== undefined) this.end(terminal, now);
    else if (event.type === 'error') {
      // An error event carries no response: the response object says it failed, and why.
      const error = isRecord(event.error) ? event.error : event;
      this.response = {
        ...this.response,
        status: 'failed',
        error: {
          code: typeof error.code === 'string' ? error.code : 'server_error',
          message: typeof error.message === 'string' ? error.message : 'The response failed.',
        },
      };
      this.end('failed', now);
    } else this.wake();
  }

  /**
   * Ends it without a terminal event from the upstream: `failed` with `error` (its frame is sent to the
   * streams as an `error` event), or `cancelled`. Does nothing once it ended.
   */
  finish(
    status: 'failed' | 'cancelled',
    now: number,
    error?: { code: string | null; message: string; param?: string | null },
  ): void {
    if (this.ended) return;
    if (error !== undefined) {
      this.push({ type: 'error', code: error.code, message: error.message, param: error.param ?? null }, now);
      return;
    }
    this.response = { ...this.response, status };
    this.end(status, now);
  }

  /**
   * Cancels it while it runs: stops its upstream and ends it `cancelled`, keeping what it produced so
   * far. Returns its response object (also when it had ended: cancelling is idempotent).
   *
   * @param snapshot - its response as it is so far (output included), when the caller has one
   * @param now - the time, epoch ms
   */
  cancel(snapshot: Record<string, unknown> | undefined, now: number): Record<string, unknown> {
    if (!this.ended) {
      if (snapshot !== undefined) this.response = { ...snapshot, background: true };
      this.finish('cancelled', now);
      this.stopUpstream(new Error('The background response was cancelled.'));
    }
    return this.response;
  }

  /**
   * Whether a stream resumed after sequence number `startingAfter` gets every event after it (its
   * events are still kept).
   */
  canResumeAfter(startingAfter: number): boolean {
    return startingAfter + 1 >= this.firstSequenceNumber;
  }

  /**
   * Its SSE frames after sequence number `startingAfter` (-1: from the first), then each new one as it
   * comes, until it ended; stops early when `signal` aborts (the client left). A stream that fell
   * behind the kept events (their byte limit) ends with an `error` event.
   */
  async *framesAfter(startingAfter: number, signal: AbortSignal): AsyncGenerator<string, void, undefined> {
    let next = Math.max(startingAfter + 1, 0);
    for (;;) {
      if (next < this.firstSequenceNumber) {
        yield formatSseFrame(
          {
            type: 'error',
            code: 'events_expired',
            message: `The events of background response '${this.id}' before sequence number ${this.firstSequenceNumber} are no longer kept. Retrieve the response without \`stream\`.`,
            param: null,
            sequence_number: next,
          },
          'error',
        );
        return;
      }
      const frame = this.frames[next - this.firstSequenceNumber];
      if (frame !== undefined) {
        next += 1;
        yield frame;
        continue;
      }
      if (this.ended || signal.aborted) return;
      await this.nextChange(signal);
    }
  }

  /** Drops its kept frames (a response evicted for the registry's byte limit stays retrievable). */
  dropFrames(): void {
    while (this.frames.length > 0) this.dropOldestFrame();
  }

  private dropOldestFrame(): void {
    const dropped = this.frames.shift();
    if (dropped === undefined) return;
    this.eventBytes -= dropped.length;
    this.firstSequenceNumber += 1;
  }

  private end(status: BackgroundResponseStatus, now: number): void {
    this.status = status;
    this.endedAt = now;
    this.wake();
    this.onEnd(this);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next frame, at the end, or when `signal` aborts. */
  private nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

/**
 * The background responses of this gateway process, by key and id, within limits (see
 * {@link BackgroundResponseLimits}): how many run at once, how many are kept and for how long, and the
 * bytes of events kept for resumed streams. Like the conversation index, it lives in this process's
 * memory: a replica does not see another's background responses.
 */
export class BackgroundResponseRegistry {
  /** By `clientTag\0id`, oldest first. */
  private readonly responses = new Map<string, BackgroundResponse>();
  private running = 0;
  private readonly maxRunning: number;
  private readonly maxKept: number;
  private readonly maxAgeMs: number;
  private readonly maxEventBytes: number;
  private readonly maxTotalEventBytes: number;

  /**
   * @param limits - see {@link BackgroundResponseLimits}
   * @param now - wall clock, epoch ms
   */
  constructor(
    limits: BackgroundResponseLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxRunning = limits.maxRunning ?? DEFAULT_MAX_RUNNING_BACKGROUND_RESPONSES;
    this.maxKept = limits.maxKept ?? DEFAULT_MAX_KEPT_BACKGROUND_RESPONSES;
    this.maxAgeMs = limits.maxAgeMs ?? DEFAULT_BACKGROUND_RESPONSE_MAX_AGE_MS;
    this.maxEventBytes = limits.maxEventBytes ?? DEFAULT_MAX_BACKGROUND_EVENT_BYTES;
    this.maxTotalEventBytes = limits.maxTotalEventBytes ?? DEFAULT_MAX_BACKGROUND_TOTAL_EVENT_BYTES;
  }

  /** Number of background responses running now. */
  get runningCount(): number {
    return this.running;
  }

  /** Number of background responses kept (running and ended). */
  get size(): number {
    return this.responses.size;
  }

  /** Bytes of the events all of them keep. */
  get eventBytes(): number {
    let total = 0;
    for (const response of this.responses.values()) total += response.eventBytes;
    return total;
  }

  /**
   * Refuses a new background response while the most allowed run (429 `too_many_background_responses`).
   */
  checkCapacity(): void {
    if (this.running < this.maxRunning) return;
    throw new GatewayError(
      429,
      'rate_limit_error',
      `Too many background responses are running on this gateway (${this.maxRunning}). Wait for one to end (or cancel one), then retry.`,
      { code: 'too_many_background_responses', retryAfterSeconds: 1 },
    );
  }

  /**
   * Registers a background response from its first event's response object (which has its id).
   *
   * @param clientTag - the tag of the key that created it
   * @param response - the response object of its first event
   * @param stopUpstream - aborts its upstream request (for a cancel)
   */
  start(
    clientTag: string,
    response: Record<string, unknown>,
    stopUpstream: (reason: Error) => void,
  ): BackgroundResponse {
    const id = String(response.id);
    const background = new BackgroundResponse(clientTag, id, response, {
      stopUpstream,
      onEnd: () => {
        this.running -= 1;
        this.applyLimits();
      },
      maxEventBytes: this.maxEventBytes,
    });
    const key = `${clientTag}\0${id}`;
    const replaced = this.responses.get(key);
    if (replaced !== undefined && !replaced.ended) replaced.finish('cancelled', this.now());
    this.responses.delete(key);
    this.responses.set(key, background);
    this.running += 1;
    this.applyLimits();
    return background;
  }

  /** A key's background response by id, while it is kept. */
  find(clientTag: string, id: string): BackgroundResponse | undefined {
    this.applyLimits();
    return this.responses.get(`${clientTag}\0${id}`);
  }

  /** Forgets an ended background response (a deleted one). Returns whether it held it. */
  forget(clientTag: string, id: string): boolean {
    const key = `${clientTag}\0${id}`;
    const held = this.responses.get(key);
    if (held === undefined || !held.ended) return false;
    return this.responses.delete(key);
  }

  /** Evicts ended responses past their age or beyond the count, and drops events beyond the byte limit. */
  private applyLimits(): void {
    const now = this.now();
    let total = 0;
    for (const response of this.responses.values()) total += response.eventBytes;
    for (const [key, response] of this.responses) {
      if (!response.ended) continue;
      const expired = now - (response.endedAt ?? now) > this.maxAgeMs;
      if (!expired && this.responses.size <= this.maxKept && total <= this.maxTotalEventBytes) continue;
      total -= response.eventBytes;
      if (expired || this.responses.size > this.maxKept) this.responses.delete(key);
      else response.dropFrames();
    }
  }
}
