/**
 * A minimal FIFO mutex for serialising async work inside one process.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /**
   * Runs `fn` after every earlier holder has finished.
   *
   * @param fn - the critical section
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
