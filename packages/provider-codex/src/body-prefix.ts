/** The first bytes of a response body, and whether more followed. */
export interface BodyPrefix {
  /** At most the requested number of bytes, from the start of the body. */
  bytes: Uint8Array;
  /** True when the body went on past them: the rest was cancelled, never read. */
  isCut: boolean;
}

/**
 * Reads at most `maxBytes` of a response body, then cancels the rest, so a broken or hostile server
 * cannot make the process buffer an unbounded answer. The time spent is bounded by the request's own
 * abort signal; a failure while reading is thrown as it is.
 *
 * @param response - a `fetch` response
 * @param maxBytes - the most bytes kept
 */
export async function readBodyPrefix(response: Response, maxBytes: number): Promise<BodyPrefix> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader !== undefined) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return { bytes: Buffer.concat(chunks).subarray(0, maxBytes), isCut: true };
    }
  }
  return { bytes: Buffer.concat(chunks), isCut: false };
}
