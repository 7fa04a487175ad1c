import { CliError } from './cli-error.js';

const NOT_TEXT_HINT =
  'Pipe text only. Convert another encoding first (iconv -f latin1 -t utf-8 notes.txt | codetether chat); ' +
  'for a binary file, send a description or a text dump of it instead.';

/** The length of the valid UTF-8 sequence starting at `index`, or 0 when none starts there. */
function utf8SequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] as number;
  if (lead < 0x80) return 1;
  let length: number;
  let secondLow = 0x80;
  let secondHigh = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) secondLow = 0xa0;
    if (lead === 0xed) secondHigh = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) secondLow = 0x90;
    if (lead === 0xf4) secondHigh = 0x8f;
  } else return 0;
  for (let offset = 1; offset < length; offset += 1) {
    const byte = bytes[index + offset];
    const low = offset === 1 ? secondLow : 0x80;
    const high = offset === 1 ? secondHigh : 0xbf;
    if (byte === undefined || byte < low || byte > high) return 0;
  }
  return length;
}

/** The offset of the first byte that does not start a valid UTF-8 sequence (−1: all valid). */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const length = utf8SequenceLength(bytes, index);
    if (length === 0) return index;
    index += length;
  }
  return -1;
}

function hexByte(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, '0')}`;
}

function binaryInputError(offset: number): CliError {
  return new CliError(
    'usage',
    `Standard input holds a NUL byte (offset ${offset}), so it is binary data, not text; nothing was sent.`,
    { hint: NOT_TEXT_HINT },
  );
}

function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): string {
  let text: string;
  try {
    // The decoder drops the byte order mark itself.
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new CliError(
      'usage',
      `Standard input starts like ${encoding.toUpperCase()} text but is not valid ${encoding.toUpperCase()}; nothing was sent.`,
      { hint: NOT_TEXT_HINT, cause },
    );
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) throw binaryInputError(2 + nul * 2);
  return text;
}

/**
 * Decodes all of standard input as text: UTF-8 (a byte order mark is dropped), or UTF-16 when it starts
 * with a UTF-16 byte order mark (PowerShell and Notepad write those). Input that is not text — bytes that
 * are not UTF-8 (another encoding, a binary file) or NUL bytes (binary data) — is a usage error naming
 * the first offending byte, instead of a prompt full of U+FFFD sent to the model.
 *
 * @param bytes - everything read from standard input
 */
export function decodeInputText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes, 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes, 'utf-16be');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    const offset = firstInvalidUtf8Offset(bytes);
    const detail =
      offset === -1
        ? ''
        : ` (byte ${hexByte(bytes[offset] as number)} at offset ${offset} is not valid UTF-8)`;
    throw new CliError('usage', `Standard input is not UTF-8 text${detail}; nothing was sent.`, {
      hint: NOT_TEXT_HINT,
      cause,
    });
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw binaryInputError(nul);
  return text;
}
