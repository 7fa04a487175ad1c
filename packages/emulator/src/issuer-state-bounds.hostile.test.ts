import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { EmulatorContext } from './context.js';
import { createJwtSigner } from './jwt.js';
import {
  type AuthState,
  createAuthState,
  ISSUER_STATE_LIMITS,
  type IssuerStateLimits,
  type TokenAccount,
} from './oauth/auth-state.js';
import { createDeviceCodeEndpoints } from './oauth/device-code-endpoints.js';

// A client that asks for codes, tokens or keys in a loop (GET /oauth/authorize, refreshes, token
// exchanges) made the issuer keep every one of them forever: memory grew without bound. Each kind is
// now kept up to a limit, the oldest forgotten first (a forgotten one answers like an unknown one).

const account: TokenAccount = {
  accountId: 'acct-bounds',
  planType: 'plus',
  email: 'bounds@example.com',
  userId: 'user-bounds',
};

function createState(limits: Partial<IssuerStateLimits>): AuthState {
  return createAuthState({
    signer: createJwtSigner('bounds-test-secret'),
    issuerUrl: 'http://127.0.0.1:1',
    now: () => 1_800_000_000_000,
    limits,
  });
}

const issue = (state: AuthState) =>
  state.issueTokenSet({ account, clientId: 'client', scope: 'openid', expiresInSeconds: 3600 });

describe('the issuer state under a client that asks in a loop', () => {
  it('has finite default limits', () => {
    for (const limit of Object.values(ISSUER_STATE_LIMITS)) {
      expect(Number.isInteger(limit) && limit > 0 && limit <= 100_000).toBe(true);
    }
  });

  it('forgets the oldest authorization code past the limit, keeping the newer ones', () => {
    const state = createState({ authorizationCodes: 3 });
    const grant = {
      clientId: 'client',
      redirectUri: 'http://localhost/cb',
      codeChallenge: 'challenge',
      scope: 'openid',
      account,
      expiresAt: 1_800_000_600_000,
    };
    const codes = Array.from({ length: 4 }, () => state.createAuthorizationCode(grant));
    expect(state.findAuthorizationCode(codes[0] as string)).toBeUndefined();
    for (const code of codes.slice(1)) expect(state.findAuthorizationCode(code)).toBeDefined();
  });

  it('forgets the oldest refresh token past the limit', () => {
    const state = createState({ refreshTokens: 2 });
    const tokens = [issue(state), issue(state), issue(state)].map((set) => set.refreshToken);
    expect(state.findRefreshToken(tokens[0] as string)).toBeUndefined();
    expect(state.findRefreshToken(tokens[2] as string)).toMatchObject({ used: false });
  });

  it('forgets the oldest API key past the limit', () => {
    const state = createState({ apiKeys: 2 });
    const keys = [state.createApiKey(), state.createApiKey(), state.createApiKey()];
    expect(state.isApiKey(keys[0] as string, undefined)).toBe(false);
    expect(state.isApiKey(keys[2] as string, undefined)).toBe(true);
  });

  it('keeps at most the limit of revoked access token ids, the newest still refused', () => {
    const state = createState({ revokedTokenIds: 2 });
    const accessTokens = [issue(state), issue(state), issue(state)].map((set) => set.accessToken);
    for (const token of accessTokens) state.revoke(token);
    expect(state.checkAccessToken(accessTokens[2] as string)).toEqual({ kind: 'invalid' });
    expect(state.checkAccessToken(accessTokens[1] as string)).toEqual({ kind: 'invalid' });
    // The oldest revocation is forgotten: that token is merely valid until it expires.
    expect(state.checkAccessToken(accessTokens[0] as string)).toMatchObject({ kind: 'valid' });
  });
});

/** A response that keeps the status and JSON body written to it. */
function capturedResponse() {
  const answer = { status: 0, body: undefined as unknown };
  const response = {
    writeHead(status: number) {
      answer.status = status;
      return response;
    },
    end(text: string) {
      answer.body = JSON.parse(text) as unknown;
    },
  };
  return { response: response as unknown as ServerResponse, answer };
}

describe('the device-code endpoints under a client that asks in a loop', () => {
  it('forget the oldest device authorization past the limit; polling it answers like an unknown one', () => {
    const context = {
      options: () => ({ deviceCodePollsBeforeApproval: 5 }),
      clientIds: () => ['client'],
      now: () => 0,
    } as unknown as EmulatorContext;
    const endpoints = createDeviceCodeEndpoints(context, 2);
    const started = Array.from({ length: 3 }, () => {
      const { response, answer } = capturedResponse();
      endpoints.handleUserCode({ client_id: 'client' }, response);
      return answer.body as { device_auth_id: string; user_code: string };
    });
    const poll = (authorization: { device_auth_id: string; user_code: string }) => {
      const { response, answer } = capturedResponse();
      endpoints.handlePoll(authorization, response);
      return answer;
    };
    expect(poll(started[0] as { device_auth_id: string; user_code: string })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(poll(started[2] as { device_auth_id: string; user_code: string })).toMatchObject({ status: 403 });
  });
});
