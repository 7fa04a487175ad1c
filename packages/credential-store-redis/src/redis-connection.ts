import { Redis } from 'ioredis';
import { RedisCredentialStoreError } from './redis-credential-store-error.js';
import type { RedisConnectionSettings } from './redis-store-url.js';

/** Connection tuning of {@link createRedisConnection}. */
export interface RedisConnectionTuning {
  /** How long connecting may take, ms. */
  connectTimeoutMs: number;
  /** How long one command may take, ms. */
  commandTimeoutMs: number;
}

/** One lazily opened Redis connection: runs commands, reopening the connection after it was lost. */
export interface RedisConnection {
  /** Runs `work` on a connected client; every Redis or socket failure becomes a {@link RedisCredentialStoreError}. */
  run<T>(work: (client: Redis) => Promise<T>): Promise<T>;
  /** Closes the connection, one still opening included (a later `run` opens a new one). */
  close(): Promise<void>;
}

/** Redis replies that mean the URL's credentials or database are wrong, not that Redis is down. */
const CONFIGURATION_REPLIES =
  /^(WRONGPASS|NOAUTH|NOPERM)\b|invalid (username-password|password)|DB index is out of range/i;

/** The error code word a Redis error reply starts with (`OOM`, `READONLY`, `WRONGTYPE`, …), if any. */
function replyCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return undefined;
  return /^([A-Z][A-Z_]*)\b/.exec(error.message)?.[1];
}

function describeFailure(error: unknown): string {
  const replyCode = replyCodeOf(error);
  if (replyCode !== undefined) return `it refused the command (${replyCode})`;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused: nothing is listening there';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(String((error as Error)?.message)))
    return 'it did not answer in time';
  if (code === 'ECONNRESET') return 'the connection was reset';
  return 'the connection failed or was closed';
}

/**
 * A copy of what ioredis threw that shows none of the command's arguments (they may hold the login):
 * ioredis puts them on its reply errors as `command.args`, and Redis quotes them in some replies
 * (`unknown command …, with args beginning with: …`). Other errors are kept as they are.
 */
function withoutCommandArguments(error: unknown): unknown {
  if (!(error instanceof Error) || !('command' in error || error.name === 'ReplyError')) return error;
  const message = error.message.replace(/,? with args beginning with:.*$/s, '');
  const { command, code } = error as { command?: { name?: unknown }; code?: unknown };
  return Object.assign(new Error(message), {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof command?.name === 'string' ? { command: { name: command.name } } : {}),
  });
}

/**
 * Turns a failure of ioredis or the socket into a one-line {@link RedisCredentialStoreError}: a refused
 * password or database number is `store-misconfigured`, anything else `store-unavailable` (retryable).
 * The cause never shows the command's arguments.
 *
 * @param error - what ioredis threw
 * @param location - the store's URL without credentials
 */
export function storeFailure(error: unknown, location: string): RedisCredentialStoreError {
  if (error instanceof RedisCredentialStoreError) return error;
  const cause = withoutCommandArguments(error);
  const message = cause instanceof Error ? cause.message : String(cause);
  if (CONFIGURATION_REPLIES.test(message)) {
    const what = /DB index/i.test(message) ? 'database number' : 'user name or password';
    return new RedisCredentialStoreError(
      'store-misconfigured',
      `Redis at ${location} refused the ${what} in the store URL (CODETETHER_STORE). Correct the URL and try again.`,
      { cause },
    );
  }
  return new RedisCredentialStoreError(
    'store-unavailable',
    `The credential store Redis at ${location} is unavailable (${describeFailure(cause)}). Check that Redis is running and reachable, then try again.`,
    { cause },
  );
}

/**
 * Creates a Redis connection that opens on first use. It never reconnects in the background (no timers
 * keep a CLI process alive, and a down Redis fails fast): a lost connection is reopened by the next
 * `run`. The socket holds the process open only while a command is in flight.
 *
 * @param settings - where to connect (from {@link parseRedisStoreUrl})
 * @param tuning - connect and command timeouts
 */
export function createRedisConnection(
  settings: RedisConnectionSettings,
  tuning: RedisConnectionTuning,
): RedisConnection {
  let client: Redis | undefined;
  let connecting: Promise<Redis> | undefined;
  let inFlight = 0;

  const holdProcess = (hold: boolean) => {
    const stream = client?.stream as { ref?: () => void; unref?: () => void } | undefined;
    if (hold) stream?.ref?.();
    else stream?.unref?.();
  };

  async function open(): Promise<Redis> {
    const fresh = new Redis({
      host: settings.host,
      port: settings.port,
      ...(settings.username === undefined ? {} : { username: settings.username }),
      ...(settings.password === undefined ? {} : { password: settings.password }),
      ...(settings.tls ? { tls: { servername: settings.host } } : {}),
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: tuning.connectTimeoutMs,
      commandTimeout: tuning.commandTimeoutMs,
    });
    // Errors are reported through the failing command; without a listener ioredis would print them.
    // The event carries the cause (ECONNREFUSED, WRONGPASS) that `connect()` reports only as "closed".
    let connectionError: unknown;
    fresh.on('error', (error: unknown) => {
      connectionError ??= error;
    });
    // `connectTimeout` covers the TCP connection only; the handshake's commands (CLIENT SETINFO, the
    // ready check's INFO, SELECT) would each wait the command timeout on a Redis that accepts and never
    // answers. The whole of connecting gets `connectTimeoutMs`.
    const handshake = (async () => {
      await fresh.connect();
      // Selected here rather than with ioredis's `db` option, which ignores a refused database number.
      if (settings.database !== 0) await fresh.select(settings.database);
    })();
    handshake.catch(() => {});
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(
        () => reject(Object.assign(new Error('Connecting to Redis timed out.'), { code: 'ETIMEDOUT' })),
        tuning.connectTimeoutMs,
      );
    });
    try {
      await Promise.race([handshake, expired]);
    } catch (error) {
      fresh.disconnect();
      throw connectionError ?? error;
    } finally {
      clearTimeout(deadline);
    }
    return fresh;
  }

  async function connected(): Promise<Redis> {
    if (client !== undefined && client.status === 'ready') return client;
    client?.disconnect();
    client = undefined;
    connecting ??= open().finally(() => {
      connecting = undefined;
    });
    client = await connecting;
    return client;
  }

  return {
    async run(work) {
      inFlight += 1;
      try {
        const ready = await connected();
        holdProcess(true);
        return await work(ready);
      } catch (error) {
        throw storeFailure(error, settings.location);
      } finally {
        inFlight -= 1;
        if (inFlight === 0) holdProcess(false);
      }
    },
    async close() {
      const closing = client;
      const opening = connecting;
      client = undefined;
      const quit = (redis: Redis) =>
        redis.quit().then(
          () => {},
          () => redis.disconnect(),
        );
      if (closing !== undefined) await quit(closing);
      // A connection still opening would otherwise be kept, open, by the call that started it.
      const opened = await opening?.catch(() => undefined);
      if (opened === undefined) return;
      if (client === opened) client = undefined;
      await quit(opened);
    },
  };
}
