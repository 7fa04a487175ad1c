import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-utilities.js';

/**
 * Sends an RFC 6749 error body `{error, error_description}`.
 *
 * @param response - the server response
 * @param status - HTTP status
 * @param error - e.g. `invalid_grant`
 * @param description - human-readable explanation
 */
export function sendOAuthError(
  response: ServerResponse,
  status: number,
  error: string,
  description: string,
): void {
  sendJson(response, status, { error, error_description: description }, { 'cache-control': 'no-store' });
}
