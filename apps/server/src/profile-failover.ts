/** Why a profile of the failover list is skipped: its usage limit, or a login that failed. */
export type ProfileUnavailableReason = 'usage-limit' | 'login';

/**
 * Which profiles a request leaves out: `unavailable` ones (at their usage limit or with a failed login),
 * or only those whose `login` failed.
 */
export type ProfileSkipping = 'unavailable' | 'login';

/** A failover from one profile to another, as logged and counted. */
export interface FailoverEvent {
  /** The profile the request belongs to (at its usage limit, or whose login failed). */
  from: string;
  /** The profile whose login answers instead. */
  to: string;
  /** Until when `from` is skipped, epoch ms (NaN when unknown). */
  limitedUntil: number;
  /** Why `from` is skipped. */
  reason: ProfileUnavailableReason;
}

/** How long a profile is skipped when its usage-limit error carries no reset time, ms (5 minutes). */
export const DEFAULT_LIMIT_WITHOUT_RESET_MS = 5 * 60 * 1000;

/**
 * The longest a usage limit is believed, ms (8 days: ChatGPT's longest usage window is a week). A reset
 * time further away (a hostile or broken upstream) is cut to this, so a profile is never lost for good.
 */
export const MAX_LIMIT_MS = 8 * 24 * 60 * 60 * 1000;

/** How long a profile whose login failed (missing, unreadable, refresh rejected) is skipped, ms (1 minute). */
export const LOGIN_RETRY_MS = 60 * 1000;

/** One profile of the failover list as `GET /healthz` reports it. */
export interface ProfileState {
  /** The profile. */
  profile: string;
  /** `available`, or why it is skipped. */
  state: 'available' | ProfileUnavailableReason;
  /** Until when it is skipped, epoch ms (absent when available). */
  until?: number;
}

/** Why no profile of the list can take a new conversation right now (see {@link ProfileLimits.exhaustion}). */
export type ProfilesExhausted =
  | {
      reason: 'usage-limit';
      /** The earliest reset time of the profiles at their limit, epoch ms. */
      earliestReset: number;
    }
  | {
      reason: 'login';
      /** The request's own profile when its login failed, else the first profile of the list whose did. */
      profile: string;
      /** What that profile's login threw. */
      error: unknown;
    };

interface Unavailability {
  reason: ProfileUnavailableReason;
  until: number;
  /** The login error, for `login`. */
  error?: unknown;
}

/**
 * Which profiles of the failover list cannot take new conversations, and until when: the pure core of
 * failover. A profile is skipped from the moment an upstream answered `usage-limit-reached` until the
 * reset time that answer named, or for {@link LOGIN_RETRY_MS} after its login failed.
 */
export class ProfileLimits {
  private readonly unavailable = new Map<string, Unavailability>();

  /**
   * @param order - the failover list (`--failover A,B,C`), in order
   * @param now - the clock, epoch ms
   */
  constructor(
    readonly order: readonly string[],
    readonly now: () => number,
  ) {}

  /**
   * Remembers that a profile reached its usage limit.
   *
   * @param profile - the profile
   * @param resetsAt - when the limit resets, epoch ms (from the upstream's answer), if known
   * @returns until when the profile is skipped, epoch ms
   */
  markLimited(profile: string, resetsAt: number | undefined): number {
    const now = this.now();
    const until =
      resetsAt !== undefined && Number.isFinite(resetsAt) && resetsAt > now
        ? Math.min(resetsAt, now + MAX_LIMIT_MS)
        : now + DEFAULT_LIMIT_WITHOUT_RESET_MS;
    const known = this.unavailable.get(profile);
    const limit = known?.reason === 'usage-limit' ? Math.max(until, known.until) : until;
    this.unavailable.set(profile, { reason: 'usage-limit', until: limit });
    return limit;
  }

  /**
   * Remembers that a profile's login failed (missing, unreadable, refresh token rejected): it is skipped
   * for {@link LOGIN_RETRY_MS}, then tried again (so a login fixed meanwhile comes back by itself).
   *
   * @param profile - the profile
   * @param error - what its login threw (the request's answer when no other profile can take it)
   * @returns until when the profile is skipped, epoch ms
   */
  markLoginFailed(profile: string, error: unknown): number {
    const until = this.now() + LOGIN_RETRY_MS;
    this.unavailable.set(profile, { reason: 'login', until, error });
    return until;
  }

  private current(profile: string): Unavailability | undefined {
    const known = this.unavailable.get(profile);
    if (known === undefined) return undefined;
    if (this.now() < known.until) return known;
    this.unavailable.delete(profile);
    return undefined;
  }

  /** Whether a profile is skipped right now (at its usage limit, or its login failed). */
  isLimited(profile: string): boolean {
    return this.current(profile) !== undefined;
  }

  /** Until when a profile is skipped, epoch ms; undefined when it is not. */
  limitedUntilOf(profile: string): number | undefined {
    return this.current(profile)?.until;
  }

  /** Why a profile is skipped right now; undefined when it is not. */
  reasonOf(profile: string): ProfileUnavailableReason | undefined {
    return this.current(profile)?.reason;
  }

  /**
   * Whether a new request leaves `profile` out right now.
   *
   * @param profile - the profile
   * @param skipping - `unavailable` (at its usage limit or with a failed login; for model requests), or
   * `login` (only a failed login; for what spends no usage, such as the model list)
   */
  isSkipped(profile: string, skipping: ProfileSkipping = 'unavailable'): boolean {
    const reason = this.current(profile)?.reason;
    return skipping === 'unavailable' ? reason !== undefined : reason === 'login';
  }

  /**
   * The profiles a new conversation of `profile` may use, best first: its own profile, then the other
   * profiles of the list in order — those skipped ({@link ProfileLimits.isSkipped}) left out. A profile
   * outside the list never fails over (only itself). Empty when every profile of the list is skipped:
   * see {@link ProfileLimits.exhaustion}. A profile may be set aside while a request goes down the list:
   * check each with `isSkipped` again before asking it.
   *
   * @param profile - the profile of the request's key
   * @param skipping - which profiles to leave out (see {@link ProfileLimits.isSkipped})
   */
  candidatesFor(profile: string, skipping: ProfileSkipping = 'unavailable'): string[] {
    if (!this.order.includes(profile)) return [profile];
    return [profile, ...this.order.filter((name) => name !== profile)].filter(
      (name) => !this.isSkipped(name, skipping),
    );
  }

  /** Every profile of the list, in order, with whether it is skipped and until when. */
  states(): ProfileState[] {
    return this.order.map((profile) => {
      const known = this.current(profile);
      return known === undefined
        ? { profile, state: 'available' }
        : { profile, state: known.reason, until: known.until };
    });
  }

  /**
   * Why a new conversation of `profile` has no candidate: the earliest reset time when any profile of
   * the list is at its usage limit (a retry then succeeds), else the login error of `profile` (or of the
   * first profile whose login failed).
   *
   * @param profile - the profile of the request's key
   */
  exhaustion(profile: string): ProfilesExhausted {
    const skipped = this.order.flatMap((name) => {
      const known = this.current(name);
      return known === undefined ? [] : [{ name, ...known }];
    });
    const resets = skipped.filter((entry) => entry.reason === 'usage-limit').map((entry) => entry.until);
    if (resets.length > 0) return { reason: 'usage-limit', earliestReset: Math.min(...resets) };
    const own = skipped.find((entry) => entry.name === profile) ?? skipped[0];
    return { reason: 'login', profile: own?.name ?? profile, error: own?.error };
  }
}
