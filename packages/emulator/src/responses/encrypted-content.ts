import { createHmac, timingSafeEqual } from 'node:crypto';
import { type ApiErrorBody, apiError } from './error-bodies.js';

/** What the emulator seals into an `encrypted_content` value. */
export interface SealedContent {
  /** The item type the content belongs to: it is only accepted back on an item of that type. */
  kind: 'reasoning' | 'compaction';
  /** A short description of what was sealed (the reasoning summary, or the compacted history). */
  summary: string;
}

/**
 * Issues and checks `encrypted_content` values: opaque to clients and unforgeable, so a test can tell
 * a client that replays what it was given from one that invents or edits it.
 */
export interface EncryptedContentSealer {
  /** Seals content; the result is a base64url string starting with `gAAAAA` like the real ones. */
  seal(content: SealedContent): string;
  /** The sealed content, or `undefined` when the value was not issued by this emulator (or is not a string). */
  open(value: unknown): SealedContent | undefined;
}

/** First byte of every sealed value (as in Fernet tokens, so values look like the real `gAAAAA…`). */
const VERSION = 0x80;
const TIMESTAMP_BYTES = 8;
const SIGNATURE_BYTES = 32;
/** Values longer than this are not even decoded (nothing the emulator issues comes close). */
const MAX_SEALED_CHARACTERS = 1024 * 1024;

/**
 * Creates a sealer keyed by a per-emulator secret: a value is
 * `base64url(0x80 ‖ issued-at seconds ‖ JSON ‖ HMAC-SHA256(secret, everything before))`. It is signed,
 * not encrypted: a curious test may decode it, but any change to it — or a value from another
 * emulator — fails the check.
 *
 * @param secret - the signing key (random per emulator)
 * @param nowMs - clock (epoch ms) for the issued-at field
 */
export function createEncryptedContentSealer(secret: Buffer, nowMs: () => number): EncryptedContentSealer {
  const sign = (bytes: Buffer) => createHmac('sha256', secret).update(bytes).digest();
  return {
    seal(content) {
      const header = Buffer.alloc(1 + TIMESTAMP_BYTES);
      header[0] = VERSION;
      header.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(nowMs() / 1000))), 1);
      const signed = Buffer.concat([header, Buffer.from(JSON.stringify(content), 'utf8')]);
      return Buffer.concat([signed, sign(signed)]).toString('base64url');
    },
    open(value) {
      if (typeof value !== 'string' || value.length > MAX_SEALED_CHARACTERS) return undefined;
      if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return undefined;
      const bytes = Buffer.from(value, 'base64url');
      // Only the canonical spelling counts: an edited final character must not decode to the same bytes.
      if (bytes.toString('base64url') !== value.replace(/=+$/, '')) return undefined;
      if (bytes.length <= 1 + TIMESTAMP_BYTES + SIGNATURE_BYTES || bytes[0] !== VERSION) return undefined;
      const signed = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
      if (!timingSafeEqual(sign(signed), bytes.subarray(bytes.length - SIGNATURE_BYTES))) return undefined;
      return parseSealedContent(signed.subarray(1 + TIMESTAMP_BYTES).toString('utf8'));
    },
  };
}

function parseSealedContent(text: string): SealedContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<SealedContent> | null;
    if (value === null || typeof value !== 'object') return undefined;
    if (value.kind !== 'reasoning' && value.kind !== 'compaction') return undefined;
    return { kind: value.kind, summary: typeof value.summary === 'string' ? value.summary : '' };
  } catch {
    return undefined;
  }
}

/** An input item whose `encrypted_content` this emulator did not issue. */
export interface UnverifiableContent {
  /** Index of the item in the input. */
  index: number;
  /** The value sent (possibly not a string). */
  value: unknown;
}

/**
 * Finds the first input item whose `encrypted_content` was not issued by this emulator for an item
 * of its type (a `reasoning` item must carry reasoning content, a `compaction` item compaction
 * content). A `null` value counts as absent, as clients send it for items without one.
 *
 * @param items - the input items a request sent
 * @param sealer - the emulator's sealer
 */
export function findUnverifiableContent(
  items: readonly unknown[],
  sealer: EncryptedContentSealer,
): UnverifiableContent | undefined {
  for (const [index, item] of items.entries()) {
    if (typeof item !== 'object' || item === null || !Object.hasOwn(item, 'encrypted_content')) continue;
    const { type, encrypted_content: value } = item as Record<string, unknown>;
    if (value === null || value === undefined) continue;
    const content = sealer.open(value);
    if (content === undefined) return { index, value };
    if ((type === 'reasoning' || type === 'compaction') && content.kind !== type) return { index, value };
  }
  return undefined;
}

/**
 * The 400 body for a value that fails the check: code `invalid_encrypted_content`, `param: "input"`,
 * and the wording clients report from the real services, with the value shortened
 * (`gAAAAABx...5Q==`) so a huge or hostile value never floods the message.
 *
 * @param value - the `encrypted_content` sent
 */
export function unverifiableContentError(value: unknown): ApiErrorBody {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const shown = text.length <= 16 ? text : `${text.slice(0, 8)}...${text.slice(-4)}`;
  return apiError(
    `The encrypted content ${shown} could not be verified. Reason: Encrypted content could not be decrypted or parsed.`,
    'invalid_request_error',
    'invalid_encrypted_content',
    'input',
  );
}
