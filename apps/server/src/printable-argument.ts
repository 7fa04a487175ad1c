/** Characters shown as they are in a message: printable ASCII. */
const PRINTABLE = /^[\u0020-\u007e]$/;

/** The longest part of a value a message quotes, by default. */
const QUOTED_LENGTH = 80;

/**
 * A value someone typed or planted (a flag, a variable, a key name from a file), made safe to quote in
 * a message for a terminal: every character outside printable ASCII — escape sequences, newlines, C1
 * controls, bidirectional overrides, and any other non-ASCII — is written as a `\uXXXX` escape, and a
 * long value is cut after `maximumLength` characters (default 80), saying how long it was.
 *
 * @param value - the value to quote
 * @param maximumLength - the most characters shown
 */
export function printableArgument(value: string, maximumLength = QUOTED_LENGTH): string {
  const characters = [...value];
  const shown = characters
    .slice(0, maximumLength)
    .map((character) =>
      PRINTABLE.test(character)
        ? character
        : [...character].map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    )
    .join('');
  return characters.length > maximumLength ? `${shown}… (${characters.length} characters)` : shown;
}
