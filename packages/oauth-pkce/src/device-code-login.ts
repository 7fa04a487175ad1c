import {
  CODEX_CLIENT_ID,
  DEFAULT_DEVICE_CODE_LIFETIME_MS,
  DEFAULT_ISSUER,
  normalizeIssuer,
} from './constants.js';
import { describeDuration } from './duration-text.js';
import { OAuthError } from './errors.js';
import { abortedError, type FetchFunction, sendIssuerRequest } from './http-request.js';
import { defineLazySchemas } from './lazy-schemas.js';
import type { OAuthTokens } from './oauth-tokens.js';
import { sleep as defaultSleep, type SleepFunction } from './sleep.js';
import { exchangeCodeForTokens, parseIssuerError } from './token-endpoint.js';

/** What the user needs to finish a device-code login. */
export interface DeviceCodeInfo {
  /** The page to open in any browser: `{issuer}/codex/device`. */
  verificationUrl: string;
  /** The code to enter there. */
  userCode: string;
  /** When the code stops working, in epoch milliseconds. */
  expiresAt: number;
}

/** Options of {@link loginWithDeviceCode}. */
export interface DeviceCodeLoginOptions {
  /** The issuer base URL. Default `https://auth.openai.com`. */
  issuer?: string;
  /** The OAuth client id. Default: the Codex CLI's. */
  clientId?: string;
  /** Shows the user the URL and code. */
  onUserCode: (info: DeviceCodeInfo) => void;
  /** Cancels the login (→ `aborted`). */
  signal?: AbortSignal;
  /** `fetch` for the issuer calls. */
  fetch?: FetchFunction;
  /** Sleep between polls (tests inject an instant one). */
  sleep?: SleepFunction;
  /** Clock (tests inject one). Default `Date.now`. */
  now?: () => number;
}

const deviceCodeSchemas = defineLazySchemas((z) => {
  const interval = z.union([
    z.number().nonnegative(),
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*$/)
      .transform(Number),
  ]);
  return {
    userCodeResponse: z
      .object({
        device_auth_id: z.string().min(1),
        user_code: z.string().min(1).optional(),
        usercode: z.string().min(1).optional(),
        interval: interval.optional(),
        expires_in: interval.optional(),
        expires_at: z.string().optional(),
      })
      .refine((value) => value.user_code !== undefined || value.usercode !== undefined, {
        message: 'missing user_code',
      }),
    deviceTokenResponse: z.object({
      authorization_code: z.string().min(1),
      code_challenge: z.string().optional(),
      code_verifier: z.string().min(1),
    }),
  };
});

const SLOW_DOWN_INCREMENT_MS = 5000;
const DEFAULT_INTERVAL_MS = 5000;
/** The longest delay a Node.js timer honours; a longer one fires after 1 ms (a poll every millisecond). */
const LONGEST_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Logs in with a device code, as the official Codex CLI does on headless machines:
 * `POST {issuer}/api/accounts/deviceauth/usercode` → show `{issuer}/codex/device` and the code → poll
 * `POST {issuer}/api/accounts/deviceauth/token` every `interval` seconds (403/404 = pending,
 * `slow_down` adds 5 s) → exchange the returned code with `redirect_uri={issuer}/deviceauth/callback`
 * and the returned verifier.
 *
 * Transient poll failures (network errors, 5xx, 429) do not end the login; polling goes on until the code
 * expires.
 *
 * Errors: `device-code-not-enabled` (404 on the first request), `device-code-expired`, `access-denied`,
 * `aborted`, `device-code-error`, `network-error` (first request only) and the token endpoint's errors.
 *
 * @param options - issuer, onUserCode callback, signal, fetch, sleep and clock
 */
export async function loginWithDeviceCode(options: DeviceCodeLoginOptions): Promise<OAuthTokens> {
  const issuer = normalizeIssuer(options.issuer ?? DEFAULT_ISSUER);
  const clientId = options.clientId ?? CODEX_CLIENT_ID;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const { signal } = options;
  const common = {
    fetch: options.fetch,
    signal,
  };

  const start = await sendIssuerRequest({
    url: `${issuer}/api/accounts/deviceauth/usercode`,
    operation: 'the device code request',
    body: { kind: 'json', value: { client_id: clientId } },
    ...common,
  });
  if (start.status === 404) {
    throw new OAuthError(
      'device-code-not-enabled',
      'Device-code login is not enabled for this account or workspace (HTTP 404). Enable it in your ChatGPT security settings, or log in with `codetether auth login` (browser) or `codetether auth login --no-browser` (paste the redirect URL).',
      { status: 404 },
    );
  }
  if (!start.ok) {
    const issuerError = parseIssuerError(start.json);
    throw new OAuthError(
      'device-code-error',
      `The device code request failed (HTTP ${start.status}${issuerError ? `, ${issuerError.error}` : ''}). Try again, or log in with \`codetether auth login\`.`,
      {
        status: start.status,
        isRetryable: start.status === 429 || start.status >= 500,
        ...(issuerError ? { issuerError } : {}),
      },
    );
  }
  const parsedStart = (await deviceCodeSchemas()).userCodeResponse.safeParse(start.json);
  if (!parsedStart.success) {
    throw new OAuthError(
      'device-code-error',
      `The device code response is not in the expected format (HTTP ${start.status}). Check the issuer URL and try again, or log in with \`codetether auth login\`.`,
      { status: start.status, cause: parsedStart.error },
    );
  }
  const deviceAuthId = parsedStart.data.device_auth_id;
  const userCode = (parsedStart.data.user_code ?? parsedStart.data.usercode) as string;
  let intervalMs =
    parsedStart.data.interval === undefined
      ? DEFAULT_INTERVAL_MS
      : Math.max(0, parsedStart.data.interval * 1000);
  const announcedLifetimeMs = (parsedStart.data.expires_in ?? 0) * 1000;
  // Zero, negative, or so large it is Infinity (a login that would never end): the default lifetime.
  const lifetimeMs =
    Number.isFinite(announcedLifetimeMs) && announcedLifetimeMs > 0
      ? announcedLifetimeMs
      : DEFAULT_DEVICE_CODE_LIFETIME_MS;
  const expiresAt = now() + lifetimeMs;
  options.onUserCode({ verificationUrl: `${issuer}/codex/device`, userCode, expiresAt });

  const expired = () =>
    new OAuthError(
      'device-code-expired',
      `The device code expired after ${describeDuration(lifetimeMs)} without being approved. Run \`codetether auth login --device-code\` again and enter the new code.`,
    );

  for (;;) {
    if (signal?.aborted) throw abortedError('the device-code login', signal.reason);
    const remaining = expiresAt - now();
    if (remaining <= 0) throw expired();
    await sleep(Math.min(intervalMs, remaining, LONGEST_TIMER_DELAY_MS), signal);
    if (signal?.aborted) throw abortedError('the device-code login', signal.reason);
    if (now() >= expiresAt) throw expired();

    let poll: Awaited<ReturnType<typeof sendIssuerRequest>>;
    try {
      poll = await sendIssuerRequest({
        url: `${issuer}/api/accounts/deviceauth/token`,
        operation: 'the device code poll',
        body: { kind: 'json', value: { device_auth_id: deviceAuthId, user_code: userCode } },
        ...common,
      });
    } catch (error) {
      // A dropped connection while the user is still approving must not end the login: poll again
      // until the code expires (the user may already have entered it).
      if (error instanceof OAuthError && error.code === 'network-error') continue;
      throw error;
    }
    if (poll.ok) {
      const parsed = (await deviceCodeSchemas()).deviceTokenResponse.safeParse(poll.json);
      if (!parsed.success) {
        throw new OAuthError(
          'device-code-error',
          `The device code approval response is not in the expected format (HTTP ${poll.status}). Run \`codetether auth login --device-code\` again.`,
          { status: poll.status, cause: parsed.error },
        );
      }
      return exchangeCodeForTokens({
        issuer,
        clientId,
        code: parsed.data.authorization_code,
        codeVerifier: parsed.data.code_verifier,
        redirectUri: `${issuer}/deviceauth/callback`,
        fetch: options.fetch,
        signal,
        now,
      });
    }
    const issuerError = parseIssuerError(poll.json);
    const errorCode = issuerError?.error;
    if (errorCode === 'slow_down') {
      intervalMs += SLOW_DOWN_INCREMENT_MS;
      continue;
    }
    if (
      errorCode === 'authorization_pending' ||
      ((poll.status === 403 || poll.status === 404) && errorCode === undefined)
    ) {
      continue;
    }
    if (poll.status === 403 || poll.status === 404) {
      if (errorCode === 'expired_token') throw expired();
      if (errorCode === 'access_denied') throw deniedError(issuerError?.errorDescription);
      continue;
    }
    if (errorCode === 'expired_token') throw expired();
    if (errorCode === 'access_denied') throw deniedError(issuerError?.errorDescription);
    if (poll.status === 429 || poll.status >= 500) {
      // Transient: back off like slow_down and keep polling until the code expires.
      intervalMs += SLOW_DOWN_INCREMENT_MS;
      continue;
    }
    throw new OAuthError(
      'device-code-error',
      `Polling for the device code approval failed (HTTP ${poll.status}${errorCode ? `, ${errorCode}` : ''}). Run \`codetether auth login --device-code\` again.`,
      { status: poll.status, ...(issuerError ? { issuerError } : {}) },
    );
  }
}

function deniedError(description: string | undefined): OAuthError {
  return new OAuthError(
    'access-denied',
    `The device-code login was denied${description ? ` (${description})` : ''}. Run \`codetether auth login --device-code\` again and approve the request.`,
    {
      issuerError: description
        ? { error: 'access_denied', errorDescription: description }
        : { error: 'access_denied' },
    },
  );
}
