import { AsyncLocalStorage } from 'node:async_hooks';

/** The response header naming the login profile that answered a request. */
export const PROFILE_HEADER = 'x-codetether-profile';

/** The login profile of one request: the one its key asked for, and the one that answered it. */
export interface ProfileScope {
  /** The profile of the request's key (the server key's profile for the gateway's own key). */
  readonly profile: string;
  /** The profile whose login the upstream call used (another one after a failover); unset before the call. */
  used: string | undefined;
}

const scopes = new AsyncLocalStorage<ProfileScope>();

/**
 * Runs `work` with the request's profile scope: the routing provider reads it to pick the profile's login,
 * and writes the profile it used back into it.
 *
 * @param profile - the profile of the request's key
 * @param work - the rest of the request
 */
export function runInProfileScope<T>(profile: string, work: (scope: ProfileScope) => T): T {
  const scope: ProfileScope = { profile, used: undefined };
  return scopes.run(scope, () => work(scope));
}

/** The profile scope of the request being handled, if any. */
export function currentProfileScope(): ProfileScope | undefined {
  return scopes.getStore();
}

/**
 * The `x-codetether-profile` header of the request being handled: the profile used, else the one asked
 * for; empty outside a request (or outside a profile scope).
 */
export function currentProfileHeaders(): Record<string, string> {
  const scope = scopes.getStore();
  return scope === undefined ? {} : { [PROFILE_HEADER]: scope.used ?? scope.profile };
}
