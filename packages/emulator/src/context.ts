import type { JwtSigner } from './jwt.js';
import type { AuthState, TokenAccount } from './oauth/auth-state.js';
import type { RateLimitTracker } from './rate-limit-headers.js';
import type { RequestRecorder } from './recording.js';
import type { EmulatorOptions } from './types.js';

/** Shared state handed to every endpoint handler. */
export interface EmulatorContext {
  /** The current options (replaced by `setOptions`). */
  options(): EmulatorOptions;
  /** Clock, epoch ms. */
  now(): number;
  /** `http://host:port` */
  issuerUrl: string;
  /** JWT signer. */
  signer: JwtSigner;
  /** Issued codes, tokens and keys. */
  auth: AuthState;
  /** Request recording. */
  recorder: RequestRecorder;
  /** Rate-limit headers. */
  rateLimits: RateLimitTracker;
  /** Aborted when the emulator closes (stops paced streams). */
  closing: AbortSignal;
  /** Per-key request counters for `server-error-then-success`. */
  serverErrorCounters: Map<string, number>;
  /** Ids of responses created with `store: true` (valid `previous_response_id` values everywhere). */
  storedResponseIds: Set<string>;
  /** The account the login flows issue tokens for. */
  defaultAccount(): TokenAccount;
  /** The OAuth client ids accepted. */
  clientIds(): readonly string[];
  /** Access token lifetime (seconds). */
  accessTokenTtlSeconds(): number;
}

/** The default account id (a stable UUID so tests can assert on it). */
export const DEFAULT_ACCOUNT_ID = '6f1c2b1e-0000-4000-8000-00000000c0de';
