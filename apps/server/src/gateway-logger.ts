import { DEFAULT_LOG_LEVEL } from '@codetether/provider-codex/configuration';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** The structured logger the gateway writes to (a pino logger). */
export type GatewayLogger = Logger;

/** Log fields whose values are replaced by `[redacted]` wherever they appear (two levels deep). */
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

/**
 * Creates the gateway's pino logger: JSON lines, with Authorization headers, keys and tokens redacted.
 *
 * @param options - level and destination
 */
export function createGatewayLogger(options: GatewayLoggerOptions = {}): GatewayLogger {
  const loggerOptions: LoggerOptions = {
    level: options.level ?? DEFAULT_LOG_LEVEL,
    base: { service: 'codetether-server' },
    redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' },
  };
  return options.destination === undefined ? pino(loggerOptions) : pino(loggerOptions, options.destination);
}
