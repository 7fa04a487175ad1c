import { GatewayError, OPENAI_ERROR_TYPES, type OpenAiErrorType } from './openai-error.js';

/** The upstream's own error body, as the provider passes it on (`CodexProviderError.upstreamError`). */
interface UpstreamErrorFields {
  message: string;
  type?: string;
  code?: string;
  param?: string;
}

/** The fields of a provider error the gateway reads (CodexProviderError's shape, read structurally). */
interface ProviderErrorFields {
  code?: string;
  status?: number;
  message: string;
  /** How long to wait, milliseconds. */
  retryAfterMs?: number;
  /** When a usage limit resets, epoch milliseconds. */
  resetsAt?: number;
  /** What the upstream said, when it answered with an error body. */
  upstreamError?: UpstreamErrorFields;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readUpstreamError(value: unknown): UpstreamErrorFields | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const message = optionalText(record.message);
  if (message === undefined) return undefined;
  const fields: UpstreamErrorFields = { message };
  const type = optionalText(record.type);
  const code = optionalText(record.code);
  const param = optionalText(record.param);
  if (type !== undefined) fields.type = type;
  if (code !== undefined) fields.code = code;
  if (param !== undefined) fields.param = param;
  return fields;
}

function readProviderErrorFields(error: unknown): ProviderErrorFields {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const record = error as Record<string, unknown>;
  const fields: ProviderErrorFields = {
    message: typeof record.message === 'string' && record.message !== '' ? record.message : 'Upstream error.',
  };
  if (typeof record.code === 'string') fields.code = record.code;
  if (typeof record.status === 'number') fields.status = record.status;
  if (typeof record.retryAfterMs === 'number' && Number.isFinite(record.retryAfterMs))
    fields.retryAfterMs = record.retryAfterMs;
  if (typeof record.resetsAt === 'number' && Number.isFinite(record.resetsAt))
    fields.resetsAt = record.resetsAt;
  const upstreamError = readUpstreamError(record.upstreamError);
  if (upstreamError !== undefined) fields.upstreamError = upstreamError;
  return fields;
}

/**
 * Seconds (what the `Retry-After` header says) until a retry may succeed: the provider's hint, else the
 * usage-limit reset time, else undefined. The provider reports both in milliseconds.
 */
function retryAfterSeconds(fields: ProviderErrorFields, nowMs: number): number | undefined {
  if (fields.retryAfterMs !== undefined) return Math.max(0, Math.ceil(fields.retryAfterMs / 1000));
  if (fields.resetsAt !== undefined) return Math.max(1, Math.ceil((fields.resetsAt - nowMs) / 1000));
  return undefined;
}

/**
 * Maps an error thrown by the provider (a `CodexProviderError`, read by its `code`/`status` fields) to
 * the HTTP error the gateway answers with: 401 for rejected or missing upstream credentials, 429 with
 * `Retry-After` for rate and usage limits, 503 `store_unavailable` when the shared credential store
 * (`CODETETHER_STORE`) is down, 504 for timeouts, 502 for other upstream failures.
 *
 * @param error - what the provider threw
 * @param nowMs - current time, epoch ms (turns a usage-limit reset time into `Retry-After`)
 */
export function mapProviderError(error: unknown, nowMs: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const fields = readProviderErrorFields(error);
  const options = { cause: error, code: fields.code?.replaceAll('-', '_') ?? null };
  switch (fields.code) {
    case 'not-logged-in':
    case 'missing-account-id':
    case 'missing-scope':
    case 'unauthorized':
      if (fields.status === 403) return new GatewayError(403, 'permission_error', fields.message, options);
      return new GatewayError(401, 'authentication_error', fields.message, options);
    case 'usage-limit-reached':
    case 'rate-limited':
      return new GatewayError(429, 'rate_limit_error', fields.message, {
        ...options,
        code: fields.code === 'rate-limited' ? 'rate_limit_exceeded' : 'usage_limit_reached',
        retryAfterSeconds: retryAfterSeconds(fields, nowMs) ?? 1,
      });
    case 'unsupported-model':
      return new GatewayError(404, 'invalid_request_error', fields.message, {
        ...options,
        code: 'model_not_found',
        param: 'model',
      });
    case 'invalid-request':
      return invalidRequestError(fields, options);
    case 'store-unavailable':
      return new GatewayError(503, 'server_error', fields.message, options);
    case 'timeout':
      return new GatewayError(504, 'timeout_error', fields.message, options);
    case 'aborted':
      return new GatewayError(499, 'invalid_request_error', fields.message, options);
    default:
      return new GatewayError(502, 'server_error', fields.message, {
        ...options,
        code: options.code ?? 'upstream_error',
      });
  }
}

/**
 * A request the upstream (or the provider) refused: the upstream's own status (4xx), message, type,
 * `code` and `param` when it answered with an error body — so an unknown `previous_response_id` is
 * `previous_response_not_found` with `param: "previous_response_id"`, as from OpenAI — else a 400
 * `invalid_request` with the provider's message.
 */
function invalidRequestError(
  fields: ProviderErrorFields,
  options: { cause: unknown; code: string | null },
): GatewayError {
  const upstream = fields.upstreamError;
  if (upstream === undefined) return new GatewayError(400, 'invalid_request_error', fields.message, options);
  const status =
    fields.status !== undefined && fields.status >= 400 && fields.status < 500 ? fields.status : 400;
  const type = (OPENAI_ERROR_TYPES as readonly string[]).includes(upstream.type ?? '')
    ? (upstream.type as OpenAiErrorType)
    : 'invalid_request_error';
  return new GatewayError(status, type, upstream.message, {
    cause: options.cause,
    code: upstream.code ?? options.code,
    param: upstream.param ?? null,
  });
}

/**
 * Maps a fatal `error` stream chunk (`{message, code}`) to a gateway error: known request problems such
 * as `context_length_exceeded` become 400, limits 429, everything else 502.
 *
 * @param message - the chunk's message
 * @param code - the chunk's code
 */
export function mapStreamErrorChunk(message: string, code: string | undefined): GatewayError {
  const normalized = code?.replaceAll('-', '_') ?? 'upstream_error';
  if (
    normalized === 'context_length_exceeded' ||
    normalized === 'invalid_prompt' ||
    normalized === 'invalid_request_error'
  ) {
    return new GatewayError(400, 'invalid_request_error', message, { code: normalized });
  }
  if (
    normalized === 'rate_limited' ||
    normalized === 'rate_limit_exceeded' ||
    normalized === 'usage_limit_reached'
  ) {
    return new GatewayError(429, 'rate_limit_error', message, { code: normalized, retryAfterSeconds: 1 });
  }
  if (normalized === 'unauthorized')
    return new GatewayError(401, 'authentication_error', message, { code: normalized });
  if (normalized === 'timeout') return new GatewayError(504, 'timeout_error', message, { code: normalized });
  return new GatewayError(502, 'server_error', message, { code: normalized });
}

/** Error chunk codes that concern a single event; the stream goes on after them. */
export const NON_FATAL_STREAM_ERROR_CODES: ReadonlySet<string> = new Set(['malformed-json', 'invalid-event']);

/** The 502 `upstream_incomplete` of an upstream stream that ended before its response was complete. */
export function upstreamIncompleteError(): GatewayError {
  return new GatewayError(
    502,
    'server_error',
    'The upstream stream ended before the response was complete. Try again.',
    { code: 'upstream_incomplete' },
  );
}
