import fc from 'fast-check';

/**
 * Short strings rich in what JSON and SSE make tricky: quotes, backslashes, control characters,
 * line separators, multi-byte characters, astral characters and lone surrogates. (fast-check's
 * `unit: 'binary'` strings are very slow to generate in some combinations, so this is built by hand.)
 */
export const trickyText = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0001', '\u2028', 'é', '日', '🙂', '/', ' ', 'a'),
      fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint)),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));
