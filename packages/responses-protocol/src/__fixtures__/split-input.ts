// Cutting a stream into pieces, to prove that any chunking of the input gives the same output.

import fc from 'fast-check';

/**
 * `input` cut at the byte (or character) offsets `cuts`, given in any order: the pieces in order.
 * Repeated offsets, 0 and the length give empty pieces, as a network can.
 */
export function splitAt<Input extends Uint8Array | string>(input: Input, cuts: readonly number[]): Input[] {
  const slice = (start: number, end?: number) =>
    (typeof input === 'string' ? input.slice(start, end) : input.subarray(start, end)) as Input;
  const pieces: Input[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    pieces.push(slice(start, cut));
    start = cut;
  }
  pieces.push(slice(start));
  return pieces;
}

/** Up to `maxCuts` distinct offsets in an input of `length` bytes or characters, for {@link splitAt}. */
export function cutOffsets(length: number, maxCuts: number): fc.Arbitrary<number[]> {
  return fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: maxCuts });
}
