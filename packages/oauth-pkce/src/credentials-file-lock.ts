import { OAuthError } from './errors.js';
import { withFileLock } from './file-lock.js';

/** How the credentials file is locked. */
export interface CredentialsFileLockSettings {
  /** The credentials file. */
  path: string;
  /** The lock file (`<path>.lock`). */
  lockPath: string;
  /** A lock untouched for this long is taken over (its holder crashed), ms. */
  staleMs: number;
  /** How long to wait for another process's lock before failing with `lock-failed`, ms. */
  timeoutMs: number;
  /** Runs before the cross-process lock is taken (e.g. creates the folder). */
  prepare(): Promise<void>;
}

/**
 * Runs `fn` while holding the credentials file's lock ({@link withFileLock}). Waiting longer than
 * `timeoutMs` fails with the retryable `lock-failed`.
 *
 * @param settings - paths, staleness and timeout
 * @param fn - the critical section
 */
export function withCredentialsFileLock<T>(
  settings: CredentialsFileLockSettings,
  fn: () => Promise<T>,
): Promise<T> {
  const { path, lockPath } = settings;
  return withFileLock(
    {
      ...settings,
      lockFailed: (cause) =>
        new OAuthError(
          'lock-failed',
          `Could not lock the credentials file ${path}: another CodeTether process has held ${lockPath} for too long. If no other CodeTether process is running, delete ${lockPath} and try again.`,
          { cause, path, isRetryable: true },
        ),
    },
    fn,
  );
}
