import { z } from 'zod';

/** The `type` values the gateway puts in OpenAI-shaped error bodies. */
export const OPENAI_ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'server_error',
  'timeout_error',
] as const;

/** An error family of OpenAI's error body. */
export type OpenAiErrorType = (typeof OPENAI_ERROR_TYPES)[number];

/** The zod schema of OpenAI's error body, the answer to every failed request (also in `/openapi.json`). */
export const openAiErrorBodySchema = z.object({
  error: z.object({
    message: z.string().describe('What happened and what to do.'),
    type: z.enum(OPENAI_ERROR_TYPES).describe('The error family.'),
    param: z.string().nullable().describe('The request field at fault, when one is.'),
    code: z.string().nullable().describe('A machine-readable code, when there is one.'),
  }),
});

/** The OpenAI error body: `{"error":{"message","type","param","code"}}`. */
export type OpenAiErrorBody = z.infer<typeof openAiErrorBodySchema>;

/** Options of {@link GatewayError}. */
export interface GatewayErrorOptions {
  /** The request field at fault. */
  param?: string | null | undefined;
  /** A machine-readable code (`invalid_api_key`, `rate_limit_exceeded`…). */
  code?: string | null | undefined;
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number | undefined;
  /** Whether retrying the same request later may succeed. */
  isRetryable?: boolean | undefined;
  /** Extra response headers (e.g. `Allow` on a 405). */
  headers?: Record<string, string> | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of `@codetether/server`: an HTTP error the gateway answers with an OpenAI-shaped
 * body. `code` is the OpenAI-style error code sent to the client.
 */
export class GatewayError extends Error {
  /** HTTP status sent to the client. */
  readonly status: number;
  /** OpenAI error type. */
  readonly type: OpenAiErrorType;
  /** Machine-readable code, or null. */
  readonly code: string | null;
  /** The request field at fault, or null. */
  readonly param: string | null;
  /** Seconds the client should wait before retrying, when known. */
  readonly retryAfterSeconds?: number;
  /** Whether retrying the same request later may succeed. */
  readonly isRetryable: boolean;
  /** Extra response headers, when any. */
  readonly headers?: Readonly<Record<string, string>>;

  /**
   * @param status - HTTP status to answer with
   * @param type - OpenAI error type
   * @param message - what happened and what to do
   * @param options - param, code, retry hint and cause
   */
  constructor(status: number, type: OpenAiErrorType, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.isRetryable = options.isRetryable ?? (status === 429 || status >= 500);
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.headers !== undefined) this.headers = { ...options.headers };
  }

  /** The OpenAI-shaped JSON body for this error. */
  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  /** Response headers for this error (`Retry-After` when known, plus any extra headers). */
  toHeaders(): Record<string, string> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.retryAfterSeconds !== undefined) headers['retry-after'] = String(this.retryAfterSeconds);
    return headers;
  }
}

/** True when `value` is a {@link GatewayError}. */
export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
