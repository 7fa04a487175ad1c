import type { ResponsesTransport, TransportRequest } from '@codetether/responses-protocol';
import { afterEach, expect, vi } from 'vitest';
import { createHttpTransport } from '../http-transport.js';
import { HttpTransportError } from '../http-transport-error.js';
import type { HttpTransportOptions } from '../transport-types.js';
import { type FaultHandler, type FaultServer, recordingSleep, startFaultServer } from './fault-server.js';

/** The bearer token every test request carries; no error may ever show it. */
export const TEST_TOKEN = 'tok_header_secret_0123456789';

/** A transport whose retries sleep no time (the delays are recorded) and whose jitter is 0. */
export interface TestTransport {
  /** The transport, closed after the test. */
  transport: ResponsesTransport;
  /** The backoff delays it asked for, in order. */
  delays: number[];
}

/** What {@link useTransportHarness} gives a test file. */
export interface TransportHarness {
  /** Starts a fault server playing `handler` and a test transport; both are closed after the test. */
  setUp(
    handler: FaultHandler,
    options?: HttpTransportOptions,
  ): Promise<TestTransport & { server: FaultServer }>;
  /** Creates a test transport without a server (closed after the test). */
  createTransport(options?: HttpTransportOptions): TestTransport;
  /** Runs `cleanup` after the current test, after the transport and server are closed. */
  onCleanup(cleanup: () => Promise<void> | void): void;
}

/**
 * Registers an `afterEach` that closes what the test opened, and returns the functions that open it.
 * Call once at the top of a test file.
 */
export function useTransportHarness(): TransportHarness {
  const transports: ResponsesTransport[] = [];
  const servers: FaultServer[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
    for (const server of servers.splice(0)) await server.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const createTransport = (options: HttpTransportOptions = {}): TestTransport => {
    const recorded = recordingSleep();
    const transport = createHttpTransport({ sleep: recorded.sleep, random: () => 0, ...options });
    transports.push(transport);
    return { transport, delays: recorded.delays };
  };
  return {
    async setUp(handler, options = {}) {
      const server = await startFaultServer(handler);
      servers.push(server);
      return { server, ...createTransport(options) };
    },
    createTransport,
    onCleanup(cleanup) {
      cleanups.push(cleanup);
    },
  };
}

/** A streaming request to `url` with {@link TEST_TOKEN} as its bearer token. */
export function requestFor(url: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return {
    url,
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
    body: { model: 'gpt-5.4', input: 'hi', stream: true },
    ...extra,
  };
}

/** Awaits `promise` and returns the {@link HttpTransportError} it must reject with. */
export async function expectTransportError(promise: Promise<unknown>): Promise<HttpTransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpTransportError);
    return error as HttpTransportError;
  }
  throw new Error('expected an HttpTransportError');
}

/** Iterates to the end and returns the events seen plus the error the iteration must end with. */
export async function drain(
  events: AsyncIterable<unknown>,
): Promise<{ seen: unknown[]; error: HttpTransportError }> {
  const seen: unknown[] = [];
  const error = await expectTransportError(
    (async () => {
      for await (const event of events) seen.push(event);
    })(),
  );
  return { seen, error };
}

/** Every text an error exposes: message, stack, fields, and the whole cause chain. */
function everyText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth += 1) {
    parts.push(String(current), JSON.stringify(current));
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** Fails when any text of `error` (message, fields, cause chain) contains one of the secrets. */
export function expectNoSecrets(error: unknown, secrets: readonly string[] = [TEST_TOKEN]): void {
  const text = everyText(error);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Waits until the server has no open socket left. */
export async function expectSocketsClosed(server: FaultServer): Promise<void> {
  await vi.waitFor(() => expect(server.openConnections()).toBe(0), { timeout: 5_000 });
}
