import { resetTimeOf } from './reset-time.js';

/**
 * Where {@link ParsedErrorBody.message} comes from: `message` — the JSON body's own words (`message`,
 * `detail` or a string `error`); `code-or-type` — a JSON error object without them, so the message
 * repeats its `code` (else `type`); `text` — a body that is no JSON error object (HTML, plain text,
 * other JSON), so the message is its text (an HTML page's title), cut to 500 characters.
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
/** How much of an HTML page is searched for its title. */
const MAX_TITLE_SEARCH = 64 * 1024;
const HTML_PAGE = /^<(?:!doctype\s+html|html)[\s>]/i;
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** `text` with HTML's character references decoded (named ones of {@link NAMED_ENTITIES}, numeric ones). */
function decodeCharacterReferences(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([\da-f]{1,6})|([a-z]{2,6}));/gi, (whole, decimal, hex, name) => {
    if (name !== undefined) return NAMED_ENTITIES[String(name).toLowerCase()] ?? whole;
    const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(String(hex), 16);
    return codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff)
      ? String.fromCodePoint(codePoint)
      : whole;
  });
}

/**
 * The title of an HTML page (an error page of a proxy or CDN: "502 Bad Gateway"), with character
 * references decoded and white space collapsed; `undefined` for other text, a page without a plain
 * title in its first {@link MAX_TITLE_SEARCH} characters, or an empty one. Plain string searches only.
 */
function htmlTitle(page: string): string | undefined {
  if (!HTML_PAGE.test(page)) return undefined;
  const start = page.slice(0, MAX_TITLE_SEARCH);
  const lower = start.toLowerCase();
  const open = lower.indexOf('<title');
  if (open === -1) return undefined;
  const after = lower.charCodeAt(open + '<title'.length);
  // `<title>` or `<title attribute…>`, not `<titles>`.
  if (after !== 0x3e && after !== 0x20 && after !== 0x09 && after !== 0x0a && after !== 0x0d)
    return undefined;
  const openEnd = lower.indexOf('>', open);
  const close = openEnd === -1 ? -1 : lower.indexOf('</title', openEnd);
  if (close === -1) return undefined;
  const raw = start.slice(openEnd + 1, close);
  if (raw.includes('<')) return undefined;
  const title = decodeCharacterReferences(raw).replace(/\s+/g, ' ').trim();
  return title === '' ? undefined : title;
}

/**
 * Parses an HTTP error response body. JSON `{"error": {…}}` (or a flat `{message, type, code}`,
 * or `{"detail": "…"}`) gives its fields; an HTML page gives its title (a proxy's "502 Bad
 * Gateway"); any other non-empty text becomes the message (cut to 500 characters). `messageSource`
 * says where the message comes from. Returns `undefined` for an empty body. Nothing is redacted:
 * scrub the fields (`redactSecrets`) before quoting them.
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
  const shown = htmlTitle(trimmed) ?? trimmed;
  return {
    message: shown.length > MAX_RAW_MESSAGE ? `${shown.slice(0, MAX_RAW_MESSAGE)}…` : shown,
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
