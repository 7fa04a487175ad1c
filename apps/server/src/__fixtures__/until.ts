/**
 * Resolves once `condition` holds (it may be asynchronous), checking it on every turn of the event loop.
 *
 * @param condition - what the test waits for
 */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}
