import type { JwtSigner } from './jwt.js';
import type { AuthState, TokenAccount } from './oauth/auth-state.js';
import type { RateLimitTracker } from './rate-limit-headers.js';
import type { RequestRecorder } from './recording.js';
import type { EncryptedContentSealer } from './responses/encrypted-content.js';
import type { StoredResponses } from './responses/stored-responses.js';
import type { Emulator, EmulatorOptions } from './types.js';

/** Shared state handed to every endpoint handler. */
export interface EmulatorContext {
  /** The current options (replaced by `setOptions`). */
  options(): EmulatorOptions;
  /** Dispatches `change` after each `setOptions` (paced streams follow a new event delay). */
  optionsChanged: EventTarget;
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
  /** Responses created with `store: true` on the OpenAI API (valid `previous_response_id`s on any transport). */
  storedResponses: StoredResponses;
  /** Issues and checks `encrypted_content` (reasoning and compaction items). */
  contentSealer: EncryptedContentSealer;
  /** Faults a test asked for. */
  faults: InjectedFaults;
  /** The account the login flows issue tokens for. */
  defaultAccount(): TokenAccount;
  /** The OAuth client ids accepted. */
  clientIds(): readonly string[];
  /** Access token lifetime (seconds). */
  accessTokenTtlSeconds(): number;
}

/** The default account id (a stable UUID so tests can assert on it). */
export const DEFAULT_ACCOUNT_ID = '6f1c2b1e-0000-4000-8000-00000000c0de';

/** Faults injected by tests through the {@link Emulator} methods. */
export interface InjectedFaults {
  /** How many of the next requests with a `previous_response_id` fail with `previous_response_not_found`. */
  previousResponseNotFound: number;
}
