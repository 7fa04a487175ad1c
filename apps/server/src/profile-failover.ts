/** A failover from one profile to another, as logged and counted. */
export interface FailoverEvent {
  /** The profile the request belongs to (whose login is at its usage limit). */
  from: string;
  /** The profile whose login answers instead. */
  to: string;
  /** Until when `from` is skipped, epoch ms. */
  limitedUntil: number;
}

/** How long a profile is skipped when its usage-limit error carries no reset time, ms (5 minutes). */
export const DEFAULT_LIMIT_WITHOUT_RESET_MS = 5 * 60 * 1000;

/**
 * Which profiles are at their usage limit, and until when: the pure core of failover. A profile is
 * skipped for new conversations from the moment an upstream answered `usage-limit-reached` until the
 * reset time that answer named.
 */
export class ProfileLimits {
  private readonly limitedUntil = new Map<string, number>();

  /**
   * @param order - the failover list (`--failover A,B,C`), in order
   * @param now - the clock, epoch ms
   */
  constructor(
    readonly order: readonly string[],
    private readonly now: () => number,
  ) {}

  /**
   * Remembers that a profile reached its usage limit.
   *
   * @param profile - the profile
   * @param resetsAt - when the limit resets, epoch ms (from the upstream's answer), if known
   * @returns until when the profile is skipped, epoch ms
   */
  markLimited(profile: string, resetsAt: number | undefined): number {
    const until =
      resetsAt !== undefined && Number.isFinite(resetsAt) && resetsAt > this.now()
        ? resetsAt
        : this.now() + DEFAULT_LIMIT_WITHOUT_RESET_MS;
    this.limitedUntil.set(profile, Math.max(until, this.limitedUntil.get(profile) ?? 0));
    return until;
  }

  /** Whether a profile is at its usage limit right now. */
  isLimited(profile: string): boolean {
    const until = this.limitedUntil.get(profile);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.limitedUntil.delete(profile);
    return false;
  }

  /** Until when a profile is skipped, epoch ms; undefined when it is not at its limit. */
  limitedUntilOf(profile: string): number | undefined {
    return this.isLimited(profile) ? this.limitedUntil.get(profile) : undefined;
  }

  /**
   * The profiles a new conversation of `profile` may use, best first: its own profile, then the other
   * profiles of the list in order — those at their limit left out. A profile outside the list never
   * fails over (only itself); when every candidate is at its limit, only `profile` (its answer is the
   * limit error the client gets).
   *
   * @param profile - the profile of the request's key
   */
  candidatesFor(profile: string): string[] {
    if (!this.order.includes(profile)) return [profile];
    const candidates = [profile, ...this.order.filter((name) => name !== profile)].filter(
      (name) => !this.isLimited(name),
    );
    return candidates.length === 0 ? [profile] : candidates;
  }
}
