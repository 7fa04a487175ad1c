import { decodeBase64UrlToString } from './base64url.js';

/** What CodeTether reads from the ChatGPT tokens' JWT payloads. */
export interface AccountClaims {
  /** The ChatGPT account (workspace) id sent as `chatgpt-account-id`. */
  accountId?: string;
  /** The subscription plan, e.g. `plus`, `pro`, `team`. */
  planType?: string;
  /** The account's email address. */
  email?: string;
  /** The token's expiry (`exp`) in epoch milliseconds. */
  expiresAt?: number;
}

const AUTH_CLAIM = 'https://api.openai.com/auth';
const PROFILE_CLAIM = 'https://api.openai.com/profile';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * Decodes a JWT's payload without checking its signature (the issuer is trusted over TLS; this only
 * reads claims). Returns undefined for anything that is not a JWT with a JSON object payload.
 *
 * @param token - a compact JWT (`header.payload.signature`)
 */
export function decodeJwtPayload(token: string | undefined): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === '') return undefined;
  try {
    const payload: unknown = JSON.parse(decodeBase64UrlToString(parts[1]));
    return isRecord(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

function firstOrganizationId(organizations: unknown): string | undefined {
  const first: unknown = Array.isArray(organizations) ? organizations[0] : undefined;
  return isRecord(first) ? nonEmptyString(first.id) : undefined;
}

function claimsOf(payload: Record<string, unknown> | undefined): AccountClaims {
  if (payload === undefined) return {};
  const auth = isRecord(payload[AUTH_CLAIM]) ? payload[AUTH_CLAIM] : {};
  const profile = isRecord(payload[PROFILE_CLAIM]) ? payload[PROFILE_CLAIM] : {};
  const claims: AccountClaims = {};
  const accountId =
    nonEmptyString(auth.chatgpt_account_id) ??
    nonEmptyString(payload.chatgpt_account_id) ??
    firstOrganizationId(payload.organizations) ??
    // Some id tokens nest the organizations inside the auth claim.
    firstOrganizationId(auth.organizations);
  if (accountId !== undefined) claims.accountId = accountId;
  const planType = nonEmptyString(auth.chatgpt_plan_type) ?? nonEmptyString(payload.chatgpt_plan_type);
  if (planType !== undefined) claims.planType = planType;
  const email = nonEmptyString(payload.email) ?? nonEmptyString(profile.email);
  if (email !== undefined) claims.email = email;
  if (typeof payload.exp === 'number' && Number.isFinite(payload.exp)) claims.expiresAt = payload.exp * 1000;
  return claims;
}

/**
 * Reads the account id, plan type, email and expiry from the ChatGPT tokens. Each claim is taken from
 * the id_token first, then the access token. The account id is the first of
 * `["https://api.openai.com/auth"].chatgpt_account_id`, top-level `chatgpt_account_id` and
 * `organizations[0].id` (also looked for inside the auth claim). `expiresAt` is the access token's expiry when it has one.
 *
 * @param tokens - the id token and/or access token
 */
export function readAccountClaims(tokens: {
  idToken?: string | undefined;
  accessToken?: string | undefined;
}): AccountClaims {
  const fromIdToken = claimsOf(decodeJwtPayload(tokens.idToken));
  const fromAccessToken = claimsOf(decodeJwtPayload(tokens.accessToken));
  const claims: AccountClaims = {};
  const accountId = fromIdToken.accountId ?? fromAccessToken.accountId;
  if (accountId !== undefined) claims.accountId = accountId;
  const planType = fromIdToken.planType ?? fromAccessToken.planType;
  if (planType !== undefined) claims.planType = planType;
  const email = fromIdToken.email ?? fromAccessToken.email;
  if (email !== undefined) claims.email = email;
  const expiresAt = fromAccessToken.expiresAt ?? fromIdToken.expiresAt;
  if (expiresAt !== undefined) claims.expiresAt = expiresAt;
  return claims;
}
