/**
 * Closes an upstream event iterator and resolves once it is closed (its `finally` blocks ran: a
 * conversation turn has put its conversation back into the index by then). Never rejects; an
 * iterator that is already closed, or none, resolves at once.
 *
 * Await it before a request is answered with an error or released: a client (or its SDK) that retries
 * as soon as it has the answer must find the conversation of the failed turn in the index again, and
 * shutdown must not close the index while a turn is still putting its conversation back.
 *
 * @param iterator - the upstream events or chunks, when they were opened
 */
export async function closeUpstreamIterator(iterator: AsyncIterator<unknown> | undefined): Promise<void> {
  try {
    await iterator?.return?.();
  } catch {
    // Already closed, or it failed while closing: either way it is over.
  }
}
