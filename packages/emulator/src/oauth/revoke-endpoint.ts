import type { ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { sendJson } from '../http-utilities.js';
import { sendOAuthError } from './oauth-error.js';

/**
 * `POST /oauth/revoke` (RFC 7009): revokes a refresh token, access token or API key. Unknown tokens
 * still answer 200, as the RFC requires.
 *
 * @param context - emulator state
 * @param fields - body fields (`token`, optional `token_type_hint`, `client_id`)
 * @param response - the server response
 */
export function handleRevoke(
  context: EmulatorContext,
  fields: Record<string, unknown>,
  response: ServerResponse,
): void {
  const token = fields.token;
  if (typeof token !== 'string' || token === '') {
    sendOAuthError(response, 400, 'invalid_request', 'The token parameter is required.');
    return;
  }
  context.auth.revoke(token);
  sendJson(response, 200, {});
}
