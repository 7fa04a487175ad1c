/**
 * The input items of a request: a string is one user message, an array is taken as is, anything
 * else (absent) is empty.
 *
 * @param input - the `input` field
 */
export function normalizeInputItems(input: unknown): unknown[] {
  if (typeof input === 'string') {
    return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  }
  return Array.isArray(input) ? [...input] : [];
}
