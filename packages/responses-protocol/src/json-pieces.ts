/**
 * String values at least this many characters long (as written in the JSON text, escapes
 * included) are decoded piece by piece by {@link parseJsonPieces}.
 */
export const LONG_STRING_MIN_CHARS = 8 * 1024;

const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** How the placeholder of a long string begins in the JSON text (its value starts with U+0000). */
const PLACEHOLDER_ESCAPE = '\\u0000';

/** Where a long string's body lies in the pieces: from `startPiece`/`startOffset` to before the closing quote. */
interface LongString {
  readonly startPiece: number;
  readonly startOffset: number;
  readonly endPiece: number;
  readonly endOffset: number;
}

/** Whether the quote at `quote` is escaped: an odd run of backslashes before it (`carriedOdd`: the run reaching `start` continues one of odd length). */
function isEscaped(piece: string, quote: number, start: number, carriedOdd: boolean): boolean {
  let index = quote - 1;
  while (index >= start && piece.charCodeAt(index) === BACKSLASH) index -= 1;
  const odd = ((quote - 1 - index) & 1) === 1;
  return index < start ? odd !== carriedOdd : odd;
}

/**
 * Where `text` may be cut without splitting an escape: an escape it ends inside of (at most 6
 * characters, `\uXXXX`) starts in its last 5 characters.
 */
function safeCut(text: string): number {
  const lastBackslash = text.lastIndexOf('\\');
  if (lastBackslash === -1 || lastBackslash < text.length - 5) return text.length;
  // Before the run of backslashes it belongs to: a backslash after a character that is not one
  // starts an escape (in valid JSON).
  let runStart = lastBackslash;
  while (runStart > 0 && text.charCodeAt(runStart - 1) === BACKSLASH) runStart -= 1;
  return runStart;
}

/**
 * A long string's value: its body decoded one piece at a time and joined, so no single flat copy
 * of the whole string is made (the engine keeps the join as a rope until someone reads it).
 * Throws (`SyntaxError`) when the body is not a valid JSON string body.
 */
function decodeLongString(pieces: readonly string[], long: LongString): string {
  let value = '';
  let carry = '';
  for (let index = long.startPiece; index <= long.endPiece; index += 1) {
    const piece = pieces[index] as string;
    const from = index === long.startPiece ? long.startOffset : 0;
    const to = index === long.endPiece ? long.endOffset : piece.length;
    let body = carry + (from === 0 && to === piece.length ? piece : piece.slice(from, to));
    carry = '';
    if (index < long.endPiece) {
      const cut = safeCut(body);
      carry = body.slice(cut);
      body = body.slice(0, cut);
    }
    if (body.length > 0) value += JSON.parse(`"${body}"`) as string;
  }
  return value;
}

/** The first `length` characters from `pieces[pieceIndex]` at `offset` on (fewer at the end). */
function textAt(pieces: readonly string[], pieceIndex: number, offset: number, length: number): string {
  let text = '';
  for (let index = pieceIndex; index < pieces.length && text.length < length; index += 1)
    text += (pieces[index] as string).slice(
      index === pieceIndex ? offset : 0,
      index === pieceIndex ? offset + length : length,
    );
  return text.slice(0, length);
}

/**
 * Parses JSON text given in pieces (their concatenation is the text) without joining it when it
 * holds long strings: each string of at least `longStringMinChars` characters is decoded piece by
 * piece (see `decodeLongString`) and the rest — short strings, numbers, structure — is parsed with
 * `JSON.parse` with those strings replaced by placeholders. So a megabyte of tool arguments
 * repeated in an event is never copied into one flat string, which costs far more per byte than
 * small strings on machines where fresh memory is slow (each flat string that large takes new
 * pages). Returns `{ value }` exactly as `JSON.parse` of the joined text would give it, or
 * `undefined` when the text is not valid JSON or is one this reader leaves to `JSON.parse` (a long
 * string used as an object key, a string whose value starts with U+0000): the caller then parses
 * the joined text itself, which also reports the error. Never throws.
 */
export function parseJsonPieces(
  pieces: readonly string[],
  longStringMinChars = LONG_STRING_MIN_CHARS,
): { value: unknown } | undefined {
  const skeleton: string[] = [];
  const longStrings: LongString[] = [];
  /** The skeleton holds the text before this piece and offset. */
  let copiedPiece = 0;
  let copiedOffset = 0;
  let inString = false;
  /** The string being read: where its body starts, and its length in the pieces before this one. */
  let bodyPiece = 0;
  let bodyOffset = 0;
  let bodyLengthBefore = 0;
  /** The string being read ended the last piece in an odd run of backslashes. */
  let carriedOdd = false;
  /** A long string was just read: it must not be an object key. */
  let afterLongString = false;

  function copyTo(pieceIndex: number, offset: number): void {
    for (let index = copiedPiece; index <= pieceIndex; index += 1) {
      const piece = pieces[index] as string;
      const from = index === copiedPiece ? copiedOffset : 0;
      const to = index === pieceIndex ? offset : piece.length;
      if (to > from) skeleton.push(piece.slice(from, to));
    }
  }

  for (let pieceIndex = 0; pieceIndex < pieces.length; pieceIndex += 1) {
    const piece = pieces[pieceIndex] as string;
    let position = 0;
    for (;;) {
      if (!inString) {
        if (afterLongString) {
          while (position < piece.length && piece.charCodeAt(position) <= 0x20) position += 1;
          if (position === piece.length) break;
          if (piece.charCodeAt(position) === COLON) return undefined;
          afterLongString = false;
        }
        const quote = piece.indexOf('"', position);
        if (quote === -1) break;
        inString = true;
        bodyPiece = pieceIndex;
        bodyOffset = quote + 1;
        bodyLengthBefore = 0;
        carriedOdd = false;
        // A value starting with U+0000 could be taken for a placeholder: left to JSON.parse.
        if (
          (bodyOffset === piece.length || piece.charCodeAt(bodyOffset) === BACKSLASH) &&
          textAt(pieces, pieceIndex, bodyOffset, PLACEHOLDER_ESCAPE.length) === PLACEHOLDER_ESCAPE
        )
          return undefined;
        position = bodyOffset;
      }
      const start = pieceIndex === bodyPiece ? bodyOffset : 0;
      const carried = pieceIndex === bodyPiece ? false : carriedOdd;
      let quote = piece.indexOf('"', position);
      while (quote !== -1 && isEscaped(piece, quote, start, carried)) quote = piece.indexOf('"', quote + 1);
      if (quote === -1) {
        // The string goes on in the next piece.
        bodyLengthBefore += piece.length - start;
        carriedOdd = isEscaped(piece, piece.length, start, carried);
        break;
      }
      inString = false;
      if (bodyLengthBefore + quote - start >= longStringMinChars) {
        copyTo(bodyPiece, bodyOffset - 1);
        skeleton.push(`"${PLACEHOLDER_ESCAPE}${longStrings.length}"`);
        longStrings.push({
          startPiece: bodyPiece,
          startOffset: bodyOffset,
          endPiece: pieceIndex,
          endOffset: quote,
        });
        copiedPiece = pieceIndex;
        copiedOffset = quote + 1;
        afterLongString = true;
      }
      position = quote + 1;
    }
  }
  if (inString) return undefined;
  try {
    if (longStrings.length === 0) return { value: JSON.parse(pieces.join('')) };
    copyTo(pieces.length - 1, (pieces[pieces.length - 1] as string).length);
    const values = longStrings.map((long) => decodeLongString(pieces, long));
    const value: unknown = JSON.parse(skeleton.join(''), (_key, parsed: unknown) =>
      typeof parsed === 'string' && parsed.charCodeAt(0) === 0
        ? (values[Number(parsed.slice(1))] ?? parsed)
        : parsed,
    );
    return { value };
  } catch {
    return undefined;
  }
}
