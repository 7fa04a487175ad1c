/**
 * Tells whether JSON text nests arrays and objects deeper than `maxDepth` (brackets inside strings do
 * not count). One pass over the text, no recursion: a hostile body can be refused before
 * `JSON.parse` or anything walking the parsed value recurses over it.
 *
 * @param text - JSON text (valid or not)
 * @param maxDepth - the deepest nesting allowed
 */
export function isJsonNestedDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c)
        index += 1; // a backslash escapes the next character
      else if (character === 0x22) inString = false;
    } else if (character === 0x22) inString = true;
    else if (character === 0x5b || character === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (character === 0x5d || character === 0x7d) depth -= 1;
  }
  return false;
}
