import { resetTimeOf } from './reset-time.js';

/**
 * Where {@link ParsedErrorBody.message} comes from: `message` — the JSON body's own words (`message`,
 * `detail` or a string `error`); `code-or-type` — a JSON error object without them, so the message
 * repeats its `code` (else `type`); `text` — a body that is no JSON error object (HTML, plain text,
 * other JSON), so the message is its text, cut to 500 characters.
 */
export type ErrorMessageSource = 'message' | 'code-or-type' | 'text';

/** The useful fields of an OpenAI-style error body `{"error": {message, type, code, param}}`. */
export interface ParsedErrorBody {
  /** The server's message (or its code or type, or the raw text when it is not JSON; see `messageSource`). */
  message: string;
  /**
   * Where `message` comes from: only `message` is the server's own words in an error object; a caller
   * that relays the body as an OpenAI error can tell a raw page or a bare code from them.
   */
  messageSource: ErrorMessageSource;
  /** The error type, e.g. `invalid_request_error`, `usage_limit_reached`. */
  type?: string;
  /** The error code, e.g. `context_length_exceeded`. */
  code?: string;
  /** The offending parameter, when named. */
  param?: string;
}

/** A ChatGPT usage-limit error (`error.type` `usage_limit_reached`, HTTP 429). */
export interface UsageLimitError {
  /** The server's message (or a default one). */
  message: string;
  /** The ChatGPT plan, e.g. `plus`. */
  planType?: string;
  /** When the limit resets, epoch milliseconds. */
  resetsAt?: number;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The inner error object of `{error:{…}}`, or the object itself when it is flat. */
function errorObject(body: unknown): Json | undefined {
  const value = typeof body === 'string' ? parseJson(body) : body;
  if (!isRecord(value)) return undefined;
  if (isRecord(value.error)) return value.error;
  return value;
}

const MAX_RAW_MESSAGE = 500;

/**
 * Parses an HTTP error response body. JSON `{"error": {…}}` (or a flat `{message, type, code}`,
 * or `{"detail": "…"}`) gives its fields; any other non-empty text becomes the message (cut to
 * 500 characters). `messageSource` says which of the two it was. Returns `undefined` for an empty
 * body. Nothing is redacted: scrub the fields (`redactSecrets`) before quoting them.
 */
export function parseErrorBody(raw: string): ParsedErrorBody | undefined {
  const object = errorObject(raw);
  if (object !== undefined) {
    const message = text(object.message) ?? text(object.detail) ?? text(object.error);
    const type = text(object.type);
    const code = text(object.code);
    const param = text(object.param);
    if (message !== undefined || type !== undefined || code !== undefined) {
      const parsed: ParsedErrorBody = {
        message: message ?? code ?? type ?? 'Unknown error',
        messageSource: message === undefined ? 'code-or-type' : 'message',
      };
      if (type !== undefined) parsed.type = type;
      if (code !== undefined) parsed.code = code;
      if (param !== undefined) parsed.param = param;
      return parsed;
    }
  }
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  return {
    message: trimmed.length > MAX_RAW_MESSAGE ? `${trimmed.slice(0, MAX_RAW_MESSAGE)}…` : trimmed,
    messageSource: 'text',
  };
}

function finite(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** Options of {@link parseUsageLimitError}. */
export interface ParseUsageLimitOptions {
  /** The current time in epoch ms, used for `resets_in_seconds` (default `Date.now()`). */
  now?: number;
}

/**
 * Recognises a ChatGPT usage-limit error: `{"error":{"type":"usage_limit_reached", message,
 * plan_type, resets_at (epoch s), resets_in_seconds}}` (a parsed object or its JSON text; the code
 * may also be in `code`). Returns `undefined` for any other body. Such errors are not retryable:
 * tell the user when the limit resets.
 */
export function parseUsageLimitError(
  body: unknown,
  options: ParseUsageLimitOptions = {},
): UsageLimitError | undefined {
  const object = errorObject(body);
  if (object === undefined) return undefined;
  if (object.type !== 'usage_limit_reached' && object.code !== 'usage_limit_reached') return undefined;
  const result: UsageLimitError = {
    message: text(object.message) ?? 'You have hit your ChatGPT usage limit. Try again later.',
  };
  const planType = text(object.plan_type);
  if (planType !== undefined) result.planType = planType;
  const resetsAt = resetTimeOf({
    atSeconds: finite(object.resets_at),
    afterSeconds: finite(object.resets_in_seconds),
    now: options.now ?? Date.now(),
  });
  if (resetsAt !== undefined) result.resetsAt = resetsAt;
  return result;
}
