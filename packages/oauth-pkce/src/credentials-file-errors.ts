import { dirname } from 'node:path';
import { OAuthError } from './errors.js';

/**
 * The `code` of a Node.js system error (`ENOENT`, `EACCES`, …), if it has one.
 *
 * @param error - anything thrown
 */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;
}

/**
 * The `credentials-io-error` for a failed file operation, with advice that fits the system error.
 *
 * @param path - the credentials file
 * @param action - what failed, e.g. `read` or `create the folder for`
 * @param error - the system error
 */
export function credentialsIoError(path: string, action: string, error: unknown): OAuthError {
  const code = errnoCode(error);
  const advice =
    code === 'EACCES' || code === 'EPERM'
      ? `Check that you own ${dirname(path)} and can write to it (or set CODETETHER_HOME to a folder you own).`
      : 'Check the disk and the permissions of the folder, then try again.';
  return new OAuthError(
    'credentials-io-error',
    `Could not ${action} the credentials file ${path} (${code ?? 'I/O error'}). ${advice}`,
    {
      cause: error,
      path,
    },
  );
}
