/** The outcome of one `codetether doctor` check. */
export type DoctorCheckStatus = 'ok' | 'fail' | 'skip';

/** One line of `codetether doctor`. */
export interface DoctorCheck {
  /** What was checked (`Node.js`, `Home folder`…). */
  name: string;
  /** `ok`, `fail`, or `skip` when it could not be checked (e.g. no login for the handshake). */
  status: DoctorCheckStatus;
  /** What was found. Never a token or key. */
  detail: string;
  /** What to do, when it failed. */
  fix?: string;
}

/**
 * A passed check.
 *
 * @param name - what was checked
 * @param detail - what was found
 */
export function passed(name: string, detail: string): DoctorCheck {
  return { name, status: 'ok', detail };
}

/**
 * A failed check with the fix.
 *
 * @param name - what was checked
 * @param detail - what is wrong
 * @param fix - what to do
 */
export function failed(name: string, detail: string, fix: string): DoctorCheck {
  return { name, status: 'fail', detail, fix };
}

/**
 * A check that could not run.
 *
 * @param name - what would have been checked
 * @param detail - why it was skipped
 */
export function skipped(name: string, detail: string): DoctorCheck {
  return { name, status: 'skip', detail };
}

/**
 * The message of anything thrown, in one line.
 *
 * @param error - what was thrown
 */
export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
