import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { dropOldest } from '../bounded-collection.js';
import type { EmulatorContext } from '../context.js';
import { escapeHtml, sendHtml, sendJson } from '../http-utilities.js';
import { createId } from '../ids.js';
import { devicePollsBeforeApproval, isAuthorizationDenied } from '../option-aliases.js';
import { ISSUER_STATE_LIMITS } from './auth-state.js';
import { sendOAuthError } from './oauth-error.js';
import { createPkcePair } from './pkce.js';

interface DeviceAuthorization {
  userCode: string;
  clientId: string;
  expiresAt: number;
  polls: number;
  approval?: { authorizationCode: string; codeChallenge: string; codeVerifier: string };
}

/** The device-code endpoints (`/api/accounts/deviceauth/*`, `/codex/device`). */
export interface DeviceCodeEndpoints {
  /** `POST /api/accounts/deviceauth/usercode` */
  handleUserCode(fields: Record<string, unknown>, response: ServerResponse): void;
  /** `POST /api/accounts/deviceauth/token` */
  handlePoll(fields: Record<string, unknown>, response: ServerResponse): void;
  /** `GET /codex/device` — the page where a user would type the code. */
  handleDevicePage(response: ServerResponse): void;
}

/**
 * Creates the device-code endpoints. Poll answers, in order: `slow_down` (400) for the first
 * `deviceCodeSlowDownPolls` polls, then `authorization_pending` (403) for `deviceCodePollsBeforeApproval`
 * polls, then 200 `{authorization_code, code_challenge, code_verifier}`. After `expires_in` seconds:
 * 400 `expired_token`. With `denyAuthorization`: 403 `access_denied`. With `deviceCodeEnabled: false`
 * both endpoints answer 404. At most `maxAuthorizations` device authorizations are kept (the oldest is
 * forgotten first and then polls like an unknown one).
 *
 * @param context - emulator state
 * @param maxAuthorizations - default `ISSUER_STATE_LIMITS.deviceAuthorizations`
 */
export function createDeviceCodeEndpoints(
  context: EmulatorContext,
  maxAuthorizations: number = ISSUER_STATE_LIMITS.deviceAuthorizations,
): DeviceCodeEndpoints {
  const authorizations = new Map<string, DeviceAuthorization>();

  const notEnabled = (response: ServerResponse) =>
    sendJson(response, 404, {
      error: {
        message: 'Device code login is not enabled for this account.',
        type: 'invalid_request_error',
        code: 'device_code_not_enabled',
        param: null,
      },
    });

  return {
    handleUserCode(fields, response) {
      const options = context.options();
      if (options.deviceCodeEnabled === false) {
        notEnabled(response);
        return;
      }
      const clientId = typeof fields.client_id === 'string' ? fields.client_id : '';
      if (!context.clientIds().includes(clientId)) {
        sendOAuthError(response, 400, 'invalid_client', 'Unknown or missing client_id.');
        return;
      }
      const expiresInSeconds = options.deviceCodeExpiresInSeconds ?? 900;
      const deviceAuthId = createId('deviceauth');
      const userCode = createUserCode();
      authorizations.set(deviceAuthId, {
        userCode,
        clientId,
        expiresAt: context.now() + expiresInSeconds * 1000,
        polls: 0,
      });
      dropOldest(authorizations, maxAuthorizations);
      sendJson(response, 200, {
        device_auth_id: deviceAuthId,
        user_code: userCode,
        interval: String(options.deviceCodeIntervalSeconds ?? 1),
        expires_in: expiresInSeconds,
      });
    },
    handlePoll(fields, response) {
      const options = context.options();
      if (options.deviceCodeEnabled === false) {
        notEnabled(response);
        return;
      }
      const deviceAuthId = typeof fields.device_auth_id === 'string' ? fields.device_auth_id : '';
      const authorization = authorizations.get(deviceAuthId);
      if (authorization === undefined || authorization.userCode !== fields.user_code) {
        sendOAuthError(response, 400, 'invalid_request', 'Unknown device_auth_id or user_code.');
        return;
      }
      if (context.now() >= authorization.expiresAt) {
        sendOAuthError(response, 400, 'expired_token', 'The device code has expired; start the login again.');
        return;
      }
      if (isAuthorizationDenied(options)) {
        sendOAuthError(response, 403, 'access_denied', 'The user denied the device authorization.');
        return;
      }
      authorization.polls += 1;
      const slowDownPolls = options.deviceCodeSlowDownPolls ?? 0;
      if (authorization.polls <= slowDownPolls) {
        sendOAuthError(response, 400, 'slow_down', 'Polling too fast; add 5 seconds to the interval.');
        return;
      }
      if (authorization.polls <= slowDownPolls + devicePollsBeforeApproval(options)) {
        sendOAuthError(response, 403, 'authorization_pending', 'The user has not approved the code yet.');
        return;
      }
      if (authorization.approval === undefined) {
        const pair = createPkcePair();
        const authorizationCode = context.auth.createAuthorizationCode({
          clientId: authorization.clientId,
          redirectUri: `${context.issuerUrl}/deviceauth/callback`,
          codeChallenge: pair.challenge,
          scope: 'openid profile email offline_access',
          account: context.defaultAccount(),
          expiresAt: context.now() + 15 * 60 * 1000,
        });
        authorization.approval = {
          authorizationCode,
          codeChallenge: pair.challenge,
          codeVerifier: pair.verifier,
        };
      }
      sendJson(response, 200, {
        authorization_code: authorization.approval.authorizationCode,
        code_challenge: authorization.approval.codeChallenge,
        code_verifier: authorization.approval.codeVerifier,
      });
    },
    handleDevicePage(response) {
      sendHtml(
        response,
        200,
        `<!doctype html><html><head><title>${escapeHtml('Codex device login (emulator)')}</title></head><body>` +
          '<h1>Enter your one-time code</h1><p>This is the CodeTether emulator: device codes are approved ' +
          'automatically after the configured number of polls.</p></body></html>',
      );
    },
  };
}

const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function createUserCode(): string {
  const bytes = randomBytes(8);
  let code = '';
  for (let index = 0; index < 8; index += 1) {
    code += USER_CODE_ALPHABET[(bytes[index] ?? 0) % USER_CODE_ALPHABET.length];
    if (index === 3) code += '-';
  }
  return code;
}
