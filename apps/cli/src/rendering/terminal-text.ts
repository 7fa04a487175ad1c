/**
 * Whole escape sequences a hostile string may carry: CSI (`ESC [` or the 8-bit U+009B), OSC (`ESC ]`
 * or U+009D: titles, OSC 8 links, OSC 52 clipboard), DCS/SOS/PM/APC (`ESC P`, `ESC X`, `ESC ^`,
 * `ESC _` or U+0090/U+0098/U+009E/U+009F) up to their terminator, and two-character `ESC x` sequences.
 * They are removed whole so their payload does not show either.
 */
const ESCAPE_SEQUENCE =
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;

/** C0 controls except tab and line feed, DEL, and the C1 controls U+0080–U+009F. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes text that came from the model or a server safe to write to a terminal: escape sequences (CSI,
 * OSC, DCS, 8-bit C1 forms) are removed whole and every other control character is dropped, except
 * line feeds and tabs; a carriage return before a line feed becomes nothing, a lone one is dropped too
 * (it would let later text overwrite the line). Ordinary Unicode, including right-to-left text, stays.
 * Stateless, so text streamed in pieces can be cleaned piece by piece: a sequence split across pieces
 * loses its introducer and can no longer act.
 *
 * @param text - text from the model or a server
 */
export function toTerminalText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_CHARACTER, '');
}

/**
 * Like {@link toTerminalText}, for fields that are plain by nature (model ids and names, account
 * fields, error messages): bidirectional overrides and isolates, which could make them read
 * differently than they are, are dropped too.
 *
 * @param text - text from the model or a server
 */
export function toPlainTerminalText(text: string): string {
  return toTerminalText(text).replace(BIDI_CONTROL, '');
}

/** Characters `JSON.stringify` leaves raw that a terminal or a line splitter may act on. */
const JSON_UNSAFE_CHARACTER = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * Serialises a value as JSON that is safe on one line of a terminal or a line-oriented reader: on top of
 * `JSON.stringify` (which escapes C0 controls and lone surrogates), DEL, the C1 controls and U+2028/U+2029
 * are written as `\uXXXX` escapes. The parsed value is unchanged.
 *
 * @param value - the value
 * @param indentation - spaces of indentation (none: one line)
 */
export function toSafeJson(value: unknown, indentation?: number): string {
  return JSON.stringify(value, null, indentation).replace(
    JSON_UNSAFE_CHARACTER,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
