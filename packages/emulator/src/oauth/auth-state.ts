import { dropOldest } from '../bounded-collection.js';
import { createId, createSecret } from '../ids.js';
import type { JwtSigner } from '../jwt.js';

/** The Codex CLI's OAuth client id, accepted by default. */
export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** The audience of access tokens (what the Responses endpoints check). */
export const ACCESS_TOKEN_AUDIENCE = 'https://api.openai.com/v1';

/** The claim object that carries the ChatGPT account. */
export const AUTH_CLAIM = 'https://api.openai.com/auth';

/** An account tokens are issued for. */
export interface TokenAccount {
  /** `chatgpt_account_id` */
  accountId: string;
  /** `chatgpt_plan_type` */
  planType: string;
  /** `email` */
  email: string;
  /** `chatgpt_user_id` */
  userId: string;
}

/** A complete token response, as the token endpoint returns it. */
export interface TokenSet {
  /** JWT access token. */
  accessToken: string;
  /** Opaque single-use refresh token. */
  refreshToken: string;
  /** JWT id token. */
  idToken: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
  /** Access token expiry (epoch ms). */
  expiresAt: number;
  /** Scope granted. */
  scope: string;
  /** The account. */
  account: TokenAccount;
}

/** An authorization code waiting to be exchanged. */
export interface AuthorizationCodeGrant {
  /** Client that asked for it. */
  clientId: string;
  /** Redirect URI it was issued for (the exchange must repeat it). */
  redirectUri: string;
  /** PKCE S256 challenge. */
  codeChallenge: string;
  /** Scope requested. */
  scope: string;
  /** The account logged in. */
  account: TokenAccount;
  /** Expiry (epoch ms). */
  expiresAt: number;
  /** Set once exchanged; a code works once. */
  used: boolean;
}

/** A refresh token's state. */
export interface RefreshTokenGrant {
  /** Client it belongs to. */
  clientId: string;
  /** Scope. */
  scope: string;
  /** The account. */
  account: TokenAccount;
  /** Set when it was exchanged (rotation): a second use is `refresh_token_reused`. */
  used: boolean;
  /** Set when revoked at `/oauth/revoke`. */
  revoked: boolean;
}

/** Result of checking a bearer access token. */
export type AccessTokenCheck =
  | { kind: 'valid'; account: TokenAccount }
  | { kind: 'expired' }
  | { kind: 'invalid' };

/** Everything the issuer has handed out; shared by the OAuth and Responses endpoints. */
export interface AuthState {
  /** Creates a new token set (access, refresh, id token) for an account. */
  issueTokenSet(options: {
    account: TokenAccount;
    clientId: string;
    scope: string;
    expiresInSeconds: number;
  }): TokenSet;
  /** Stores an authorization code and returns it. */
  createAuthorizationCode(grant: Omit<AuthorizationCodeGrant, 'used'>): string;
  /** Looks up an authorization code. */
  findAuthorizationCode(code: string): AuthorizationCodeGrant | undefined;
  /** Looks up a refresh token. */
  findRefreshToken(token: string): RefreshTokenGrant | undefined;
  /** Marks a token (refresh or access) as revoked; unknown tokens are ignored. */
  revoke(token: string): void;
  /** Checks an access token presented to the ChatGPT backend. */
  checkAccessToken(token: string): AccessTokenCheck;
  /** Returns the id token's account when it is a valid id token from this issuer. */
  checkIdToken(token: string): TokenAccount | undefined;
  /** Creates an API key accepted by `/v1/responses`. */
  createApiKey(): string;
  /** Tells whether an API key was issued here (or configured as accepted). */
  isApiKey(key: string, acceptedApiKeys: readonly string[] | undefined): boolean;
}

/**
 * How many of each kind the issuer keeps; past a limit the oldest is forgotten (and then answers like
 * one never issued), so a client asking in a loop cannot grow the emulator's memory without bound.
 */
export const ISSUER_STATE_LIMITS = {
  /** Authorization codes (each lives 10 minutes; a login uses one). */
  authorizationCodes: 10_000,
  /** Device authorizations (`/api/accounts/deviceauth/usercode`). */
  deviceAuthorizations: 10_000,
  /** Refresh tokens, used ones included (a reused one is told apart from an unknown one). */
  refreshTokens: 100_000,
  /** API keys issued here (token exchange, `createApiKey`). */
  apiKeys: 10_000,
  /** Ids of revoked access and id tokens (a forgotten one is valid again until it expires). */
  revokedTokenIds: 100_000,
} as const;

/** The limits of one issuer state (tests lower them). */
export type IssuerStateLimits = { [Kind in keyof typeof ISSUER_STATE_LIMITS]: number };

/**
 * Creates the issuer's state.
 *
 * @param options - signer, issuer URL, clock (epoch ms) and limits (default {@link ISSUER_STATE_LIMITS})
 */
export function createAuthState(options: {
  signer: JwtSigner;
  issuerUrl: string;
  now: () => number;
  limits?: Partial<IssuerStateLimits>;
}): AuthState {
  const { signer, issuerUrl } = options;
  const limits: IssuerStateLimits = { ...ISSUER_STATE_LIMITS, ...options.limits };
  const authorizationCodes = new Map<string, AuthorizationCodeGrant>();
  const refreshTokens = new Map<string, RefreshTokenGrant>();
  const revokedTokenIds = new Set<string>();
  const apiKeys = new Set<string>();

  const authClaim = (account: TokenAccount) => ({
    chatgpt_account_id: account.accountId,
    chatgpt_plan_type: account.planType,
    chatgpt_user_id: account.userId,
    user_id: account.userId,
  });

  const readAccount = (payload: Record<string, unknown>): TokenAccount | undefined => {
    const claim = payload[AUTH_CLAIM];
    if (typeof claim !== 'object' || claim === null) return undefined;
    const record = claim as Record<string, unknown>;
    if (typeof record.chatgpt_account_id !== 'string') return undefined;
    return {
      accountId: record.chatgpt_account_id,
      planType: typeof record.chatgpt_plan_type === 'string' ? record.chatgpt_plan_type : 'plus',
      userId: typeof record.chatgpt_user_id === 'string' ? record.chatgpt_user_id : 'user-emulator',
      email: typeof payload.email === 'string' ? payload.email : 'user@example.com',
    };
  };

  return {
    issueTokenSet({ account, clientId, scope, expiresInSeconds }) {
      const issuedAt = Math.floor(options.now() / 1000);
      const expiresAtSeconds = issuedAt + expiresInSeconds;
      const accessToken = signer.sign({
        iss: issuerUrl,
        aud: [ACCESS_TOKEN_AUDIENCE],
        client_id: clientId,
        sub: account.userId,
        email: account.email,
        exp: expiresAtSeconds,
        iat: issuedAt,
        nbf: issuedAt,
        jti: createId('at'),
        scp: scope.split(' ').filter((entry) => entry !== ''),
        [AUTH_CLAIM]: authClaim(account),
        'https://api.openai.com/profile': { email: account.email, email_verified: true },
      });
      const idToken = signer.sign({
        iss: issuerUrl,
        aud: [clientId],
        sub: account.userId,
        email: account.email,
        email_verified: true,
        exp: issuedAt + 3600,
        iat: issuedAt,
        auth_time: issuedAt,
        jti: createId('id'),
        [AUTH_CLAIM]: {
          ...authClaim(account),
          organizations: [{ id: `org-${account.accountId.slice(0, 12)}`, is_default: true, role: 'owner' }],
        },
      });
      const refreshToken = `rt_${createSecret(32)}`;
      refreshTokens.set(refreshToken, { clientId, scope, account, used: false, revoked: false });
      dropOldest(refreshTokens, limits.refreshTokens);
      return {
        accessToken,
        refreshToken,
        idToken,
        expiresIn: expiresInSeconds,
        expiresAt: expiresAtSeconds * 1000,
        scope,
        account,
      };
    },
    createAuthorizationCode(grant) {
      const code = `ac_${createSecret(24)}`;
      authorizationCodes.set(code, { ...grant, used: false });
      dropOldest(authorizationCodes, limits.authorizationCodes);
      return code;
    },
    findAuthorizationCode: (code) => authorizationCodes.get(code),
    findRefreshToken: (token) => refreshTokens.get(token),
    revoke(token) {
      const refresh = refreshTokens.get(token);
      if (refresh !== undefined) {
        refresh.revoked = true;
        return;
      }
      const payload = signer.verify(token);
      if (payload !== undefined && typeof payload.jti === 'string') {
        // Re-adding moves an id revoked again to the newest end.
        revokedTokenIds.delete(payload.jti);
        revokedTokenIds.add(payload.jti);
        dropOldest(revokedTokenIds, limits.revokedTokenIds);
      }
      apiKeys.delete(token);
    },
    checkAccessToken(token) {
      const payload = signer.verify(token);
      if (payload === undefined) return { kind: 'invalid' };
      const audience = payload.aud;
      if (!Array.isArray(audience) || !audience.includes(ACCESS_TOKEN_AUDIENCE)) return { kind: 'invalid' };
      if (typeof payload.jti === 'string' && revokedTokenIds.has(payload.jti)) return { kind: 'invalid' };
      const account = readAccount(payload);
      if (account === undefined) return { kind: 'invalid' };
      if (typeof payload.exp !== 'number' || payload.exp * 1000 <= options.now()) return { kind: 'expired' };
      return { kind: 'valid', account };
    },
    checkIdToken(token) {
      const payload = signer.verify(token);
      if (payload === undefined) return undefined;
      const audience = payload.aud;
      if (Array.isArray(audience) && audience.includes(ACCESS_TOKEN_AUDIENCE)) return undefined;
      if (typeof payload.jti === 'string' && revokedTokenIds.has(payload.jti)) return undefined;
      return readAccount(payload);
    },
    createApiKey() {
      const key = `sk-emulator-${createSecret(24)}`;
      apiKeys.add(key);
      dropOldest(apiKeys, limits.apiKeys);
      return key;
    },
    isApiKey(key, acceptedApiKeys) {
      return apiKeys.has(key) || (acceptedApiKeys?.includes(key) ?? false);
    },
  };
}
