/** A command-line mistake (exit code 2). */
export class ServerUsageError extends Error {
  /** Always `usage`. */
  readonly code = 'usage' as const;

  /** @param message - what is wrong with the command line */
  constructor(message: string) {
    super(message);
    this.name = 'ServerUsageError';
  }
}
