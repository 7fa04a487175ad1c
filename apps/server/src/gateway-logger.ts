import { DEFAULT_LOG_LEVEL } from '@codetether/provider-codex/configuration';
import { REDACTED, redactCredential, redactSecrets } from '@codetether/responses-protocol';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** The structured logger the gateway writes to (a pino logger). */
export type GatewayLogger = Logger;

/**
 * Log fields whose values are redacted wherever they appear (two levels deep), in the shared format
 * of `@codetether/responses-protocol`: `Bearer [redacted]` for a bearer credential, else `[redacted]`.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'authorization',
  'apiKey',
  'api_key',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'secret',
  'password',
  'cookie',
].flatMap((name) => [name, `*.${name}`, `*.headers.${name}`, `req.headers.${name}`]);

/** Options of {@link createGatewayLogger}. */
export interface GatewayLoggerOptions {
  /** Minimum level (default `info`; `codetether-server` passes `CODETETHER_LOG_LEVEL`). */
  level?: string;
  /** Where to write JSON lines (default stdout). */
  destination?: DestinationStream;
}

/** Redacts a value at one of {@link REDACTED_LOG_PATHS}: a whole credential, keeping a `Bearer`/`Basic` scheme. */
function censorLogValue(value: unknown): string {
  return typeof value === 'string' ? redactCredential(value) : REDACTED;
}

/**
 * Creates the gateway's pino logger: JSON lines, with Authorization headers, keys and tokens redacted
 * (and anything credential-shaped in log messages, by the shared `redactSecrets`).
 *
 * @param options - level and destination
 */
export function createGatewayLogger(options: GatewayLoggerOptions = {}): GatewayLogger {
  const loggerOptions: LoggerOptions = {
    level: options.level ?? DEFAULT_LOG_LEVEL,
    base: { service: 'codetether-server' },
    redact: { paths: [...REDACTED_LOG_PATHS], censor: censorLogValue },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((argument) =>
          typeof argument === 'string' ? redactSecrets(argument) : argument,
        );
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  return options.destination === undefined ? pino(loggerOptions) : pino(loggerOptions, options.destination);
}
