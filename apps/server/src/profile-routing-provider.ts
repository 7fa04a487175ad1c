import { DEFAULT_PROFILE } from '@codetether/oauth-pkce/profile-name';
import { CodexProviderError, type ConversationOptions } from '@codetether/provider-codex';
import type { StreamChunk } from '@codetether/responses-protocol';
import type {
  GatewayConversation,
  GatewayModel,
  GatewayProvider,
  GatewayProviderRequestOptions,
  GatewayResponseStream,
} from './gateway-provider.js';
import type { FailoverEvent, ProfileLimits, ProfileUnavailableReason } from './profile-failover.js';
import { currentProfileScope, type ProfileScope } from './profile-scope.js';

/** Options of {@link createProfileRoutingProvider}. */
export interface ProfileRoutingOptions {
  /** The profile of requests outside a profile scope (and of the gateway's own key). */
  defaultProfile: string;
  /** The provider of {@link ProfileRoutingOptions.defaultProfile}. */
  defaultProvider: GatewayProvider;
  /** Creates the provider of another profile (called once per profile, on first use). */
  providerFor: (profile: string) => GatewayProvider;
  /** Failover between profiles at their usage limit or with a failed login (`--failover`); off when absent. */
  failover?:
    | {
        limits: ProfileLimits;
        onFailover(event: FailoverEvent): void;
        /** Called once each time a profile of the list is set aside because its login failed. */
        onProfileUnavailable?(event: ProfileUnavailableEvent): void;
      }
    | undefined;
}

/** A profile of the failover list set aside because its login failed, as logged and counted. */
export interface ProfileUnavailableEvent {
  /** The profile. */
  profile: string;
  /** Why it is set aside (`login`). */
  reason: ProfileUnavailableReason;
  /** The provider's error code (e.g. `not-logged-in`, `unauthorized`); never a message or a secret. */
  code: string;
  /** Until when it is skipped, epoch ms. */
  until: number;
}

/** The usage-limit codes: the provider's error code, and the code of an upstream `error` chunk or event. */
const USAGE_LIMIT_CODES = new Set(['usage-limit-reached', 'usage_limit_reached']);

function usageLimitResetOf(error: unknown): { resetsAt: number | undefined } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, resetsAt } = error as { code?: unknown; resetsAt?: unknown };
  if (typeof code !== 'string' || !USAGE_LIMIT_CODES.has(code)) return undefined;
  return { resetsAt: typeof resetsAt === 'number' ? resetsAt : undefined };
}

/**
 * The provider codes of a login that cannot be used (missing or unreadable, no account id, refresh token
 * rejected, credentials refused): another profile of the failover list may take the request.
 */
const LOGIN_FAILURE_CODES = new Set(['not-logged-in', 'missing-account-id', 'unauthorized']);

function loginFailureCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && LOGIN_FAILURE_CODES.has(code) ? code : undefined;
}

/** What a failed login of a named profile is, in the message the client gets. */
const LOGIN_FAILURE_REASONS: Readonly<Record<string, string>> = {
  'not-logged-in': 'it is missing or could not be read',
  'missing-account-id': 'it carries no ChatGPT account id',
  unauthorized: 'it was refused or could not be refreshed',
};

/**
 * A login error of a named profile as the client gets it: naming the profile and the command that fixes
 * it (`codetether auth login --profile P`; the provider's own message names the default profile's login,
 * and may carry a path of the gateway's machine). Other errors, and the default profile's, as they are.
 */
function namingProfile(profile: string, error: unknown): unknown {
  const code = loginFailureCodeOf(error);
  if (code === undefined || profile === DEFAULT_PROFILE) return error;
  const command = `codetether auth login --profile ${profile}`;
  if (error instanceof Error && error.message.includes(command)) return error;
  const { status } = error as { status?: unknown };
  return new CodexProviderError(
    code as 'not-logged-in' | 'missing-account-id' | 'unauthorized',
    `The ChatGPT login of profile '${profile}' cannot be used: ${LOGIN_FAILURE_REASONS[code]}. Run \`${command}\` on the gateway's machine to sign in again.`,
    { cause: error, isRetryable: false, status: typeof status === 'number' ? status : undefined },
  );
}

/**
 * The answer when every profile of the failover list is at its usage limit: a 429 whose reset time is
 * the earliest of them (a retry then succeeds), made without asking any upstream.
 */
function allProfilesLimitedError(order: readonly string[], earliestReset: number, now: number) {
  return new CodexProviderError(
    'usage-limit-reached',
    `Every login profile of the failover list (${order.join(', ')}) is at its usage limit or cannot log in; ` +
      `the first limit resets at ${new Date(earliestReset).toISOString()}. Try again then.`,
    {
      status: 429,
      resetsAt: earliestReset,
      retryAfterMs: Math.max(0, earliestReset - now),
      isRetryable: true,
    },
  );
}

/**
 * Where a request may go: `base` (default: the request's profile) and what it is — a `new` conversation
 * (fails over while its profile is at its usage limit or cannot log in), a `continued` one (stays on
 * `base`), or the `catalogue` (the model list: fails over only while the login of `base` failed; it
 * spends no usage).
 */
interface ProfileRoute {
  base?: string | undefined;
  kind: 'new' | 'continued' | 'catalogue';
}

/** A usage limit reported as the first chunk of a stream instead of thrown. */
class UsageLimitChunk extends Error {
  constructor(
    readonly chunk: StreamChunk,
    readonly code = 'usage-limit-reached',
  ) {
    super('usage limit');
  }
}

/**
 * A conversation on the profile it started on, or on the one its first turn moved to (see
 * `routeConversation`). A class: its `id` and `history` accessors live on the prototype, so a
 * conversation's state is not kept alive by a per-object map (as an object literal's accessors are).
 */
class RoutedConversation implements GatewayConversation {
  /** Set by `routeConversation` (it needs the router's failover). */
  send!: GatewayConversation['send'];

  constructor(
    public profile: string,
    public inner: GatewayConversation,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  get history(): GatewayConversation['history'] {
    return this.inner.history;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The failover settings of {@link ProfileRoutingOptions}. */
type Failover = NonNullable<ProfileRoutingOptions['failover']>;

/**
 * Sets a profile aside when `error` says it cannot take requests now (its usage limit, or a failed
 * login of a profile of the list); false for any other error (or without failover).
 */
function setAside(failover: Failover | undefined, profile: string, error: unknown): boolean {
  if (failover === undefined) return false;
  const limit = usageLimitResetOf(error);
  if (limit !== undefined) {
    failover.limits.markLimited(profile, limit.resetsAt);
    return true;
  }
  const code = loginFailureCodeOf(error);
  if (code === undefined || !failover.limits.order.includes(profile)) return false;
  // Requests that met the same broken login at once report it once.
  if (failover.limits.reasonOf(profile) === 'login') return true;
  const until = failover.limits.markLoginFailed(profile, error);
  failover.onProfileUnavailable?.({ profile, reason: 'login', code, until });
  return true;
}

/** What a new conversation of `base` gets when no profile of the list can take it. */
function exhaustedError(failover: Failover | undefined, base: string, lastError: unknown): unknown {
  if (failover === undefined) return lastError;
  const exhaustion = failover.limits.exhaustion(base);
  if (exhaustion.reason === 'usage-limit') {
    return allProfilesLimitedError(failover.limits.order, exhaustion.earliestReset, failover.limits.now());
  }
  return exhaustion.error === undefined ? lastError : namingProfile(exhaustion.profile, exhaustion.error);
}

/**
 * A {@link GatewayProvider} that sends each request with the login of its key's profile (see
 * `runInProfileScope`), keeping one provider per profile, created on first use. With failover, a new
 * conversation (a stateless request, or a conversation's first turn) whose profile is at its usage limit
 * or cannot log in goes to the next profile of the list: before sending when that is known, or at once
 * when the upstream answers `usage-limit-reached` (or the login fails) before any output — never once a
 * stream has started, and a conversation that already answered stays on its profile. When no profile of
 * the list can take it, the client gets one 429 naming the earliest reset (asked of no upstream), or the
 * login error of its own profile. The model list fails over only from a failed login. The profile used is written into the scope
 * (the `x-codetether-profile` header).
 *
 * @param options - default profile and provider, how to create the others, failover
 */
// About 160 lines: the provider's methods and the conversation wrapper are closures over the one map of
// per-profile providers and the failover state; each is a few lines over withFailover/streamWithFailover.
export function createProfileRoutingProvider(options: ProfileRoutingOptions): GatewayProvider {
  const providers = new Map<string, GatewayProvider>([[options.defaultProfile, options.defaultProvider]]);
  const providerOf = (profile: string): GatewayProvider => {
    let provider = providers.get(profile);
    if (provider === undefined) {
      provider = options.providerFor(profile);
      providers.set(profile, provider);
    }
    return provider;
  };
  const { failover } = options;

  /**
   * Runs `attempt` on the request's profile, or — for a new conversation of a profile of the failover
   * list — on the next one while each is at its usage limit or cannot log in. Other errors end it at once
   * (no retry storm on a failing upstream).
   */
  async function withFailover<T>(
    scope: ProfileScope | undefined,
    route: ProfileRoute,
    attempt: (provider: GatewayProvider, profile: string) => Promise<T>,
  ): Promise<T> {
    const base = route.base ?? scope?.profile ?? options.defaultProfile;
    const catalogue = route.kind === 'catalogue';
    const failsOver =
      failover !== undefined && route.kind !== 'continued' && failover.limits.order.includes(base);
    const skipping = catalogue ? 'login' : 'unavailable';
    const candidates = failsOver ? failover.limits.candidatesFor(base, skipping) : [base];
    let lastError: unknown;
    for (const profile of candidates) {
      // Set aside by another request while this one waited on an earlier candidate: never asked.
      if (failsOver && failover.limits.isSkipped(profile, skipping)) continue;
      if (scope !== undefined) scope.used = profile;
      try {
        const result = await attempt(providerOf(profile), profile);
        if (failover !== undefined && profile !== base && !catalogue) {
          const limitedUntil = failover.limits.limitedUntilOf(base);
          failover.onFailover({
            from: base,
            to: profile,
            limitedUntil: limitedUntil ?? Number.NaN,
            reason: failover.limits.reasonOf(base) ?? 'usage-limit',
          });
        }
        return result;
      } catch (error) {
        if (!setAside(failover, profile, error) || !failsOver) throw namingProfile(profile, error);
        lastError = namingProfile(profile, error);
      }
    }
    throw exhaustedError(failover, base, lastError);
  }

  /** Opens a chunk stream and reads its first chunk, so a usage limit before any output can fail over. */
  async function openFirstChunk(stream: AsyncIterable<StreamChunk>) {
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (
      first.done !== true &&
      first.value.type === 'error' &&
      USAGE_LIMIT_CODES.has(first.value.code ?? '')
    ) {
      await iterator.return?.().catch(() => {});
      throw new UsageLimitChunk(first.value);
    }
    return { iterator, first };
  }

  async function* streamWithFailover(
    scope: ProfileScope | undefined,
    route: ProfileRoute,
    open: (provider: GatewayProvider, profile: string) => AsyncIterable<StreamChunk>,
  ): AsyncGenerator<StreamChunk, void, undefined> {
    let opened: Awaited<ReturnType<typeof openFirstChunk>>;
    try {
      opened = await withFailover(scope, route, (provider, profile) =>
        openFirstChunk(open(provider, profile)),
      );
    } catch (error) {
      // The last profile's limit reaches the client as the chunk it came as.
      if (error instanceof UsageLimitChunk) {
        yield error.chunk;
        return;
      }
      throw error;
    }
    const { iterator, first } = opened;
    try {
      if (first.done === true) return;
      yield first.value;
      for (;;) {
        const result = await iterator.next();
        if (result.done === true) return;
        yield result.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  const conversationOn = (profile: string, conversationOptions: ConversationOptions): GatewayConversation => {
    const conversation = providerOf(profile).createConversation?.(conversationOptions);
    if (conversation === undefined) {
      throw new TypeError(`The provider of profile '${profile}' cannot hold conversations.`);
    }
    return conversation;
  };

  /**
   * A conversation on the request's profile. Until it has answered (empty history) it is new: its first
   * turn may move to another profile, where it starts over; once it has a history it stays put.
   */
  function routeConversation(conversationOptions: ConversationOptions): GatewayConversation {
    const profile = currentProfileScope()?.profile ?? options.defaultProfile;
    const routed = new RoutedConversation(profile, conversationOn(profile, conversationOptions));
    routed.send = (input, callOptions) => {
      const route: ProfileRoute = {
        base: routed.profile,
        kind: routed.inner.history.length === 0 ? 'new' : 'continued',
      };
      return streamWithFailover(currentProfileScope(), route, (_provider, target) => {
        if (target !== routed.profile) {
          void routed.inner.close().catch(() => {});
          routed.inner = conversationOn(target, conversationOptions);
          routed.profile = target;
        }
        return routed.inner.send(input, callOptions);
      });
    };
    return routed;
  }

  const router: GatewayProvider = {
    listModels(): Promise<readonly GatewayModel[]> {
      const scope = currentProfileScope();
      return withFailover(scope, { kind: 'catalogue' }, (provider) => provider.listModels());
    },
    completeStream(request, requestOptions?: GatewayProviderRequestOptions) {
      return streamWithFailover(currentProfileScope(), { kind: 'new' }, (provider) =>
        provider.completeStream(request, requestOptions),
      );
    },
    createResponseStream(body, requestOptions): Promise<GatewayResponseStream> {
      const isNew = body.previous_response_id === undefined || body.previous_response_id === null;
      return withFailover(currentProfileScope(), { kind: isNew ? 'new' : 'continued' }, (provider) =>
        provider.createResponseStream(body, requestOptions),
      );
    },
    // biome-ignore lint/plugin: one router lives as long as the gateway; the provider interface has the property.
    get lastRateLimits() {
      // In a request, the windows of the profile that answered it (none when no upstream was asked).
      const scope = currentProfileScope();
      const profile = scope === undefined ? options.defaultProfile : scope.used;
      return profile === undefined ? undefined : providers.get(profile)?.lastRateLimits;
    },
    async prepare() {
      // The other profiles' providers are made on their first request; they share the modules loaded here.
      await options.defaultProvider.prepare?.();
    },
    async close() {
      await Promise.all([...providers.values()].map((provider) => provider.close?.()));
    },
  };
  if (options.defaultProvider.createConversation !== undefined) router.createConversation = routeConversation;
  // The hidden models and the model check (the Codex CLI's catalogue, `GET /v1/models/{id}`), from the
  // request's profile as the list is: a profile's provider without them answers as if it checked nothing.
  if (options.defaultProvider.readModelList !== undefined) {
    router.readModelList = () =>
      withFailover(currentProfileScope(), { kind: 'catalogue' }, async (provider) =>
        provider.readModelList === undefined
          ? { models: await provider.listModels() }
          : provider.readModelList(),
      );
  }
  // A stored response belongs to the API key of the request's profile: asked there, never failed over.
  if (options.defaultProvider.requestStoredResponse !== undefined) {
    router.requestStoredResponse = (request) =>
      withFailover(currentProfileScope(), { kind: 'continued' }, async (provider) =>
        provider.requestStoredResponse === undefined ? undefined : provider.requestStoredResponse(request),
      );
  }
  // A compaction reads the encrypted items of the request's profile and makes new ones for it: asked
  // there, never failed over (another account could not read them).
  if (options.defaultProvider.compactHistory !== undefined) {
    router.compactHistory = (request, requestOptions) =>
      withFailover(currentProfileScope(), { kind: 'continued' }, (provider) => {
        if (provider.compactHistory === undefined)
          throw new TypeError("This profile's provider cannot compact histories.");
        return provider.compactHistory(request, requestOptions);
      });
  }
  // A token count spends no usage: asked of the request's profile (an API key counts, a login does not).
  if (options.defaultProvider.countInputTokens !== undefined) {
    router.countInputTokens = (body, requestOptions) =>
      withFailover(currentProfileScope(), { kind: 'continued' }, async (provider) =>
        provider.countInputTokens === undefined ? undefined : provider.countInputTokens(body, requestOptions),
      );
  }
  // Embeddings spend no subscription usage: asked of the request's profile (an API key has them).
  if (options.defaultProvider.createEmbeddings !== undefined) {
    router.createEmbeddings = (body, requestOptions) =>
      withFailover(currentProfileScope(), { kind: 'continued' }, async (provider) =>
        provider.createEmbeddings === undefined ? undefined : provider.createEmbeddings(body, requestOptions),
      );
  }
  if (options.defaultProvider.validateModel !== undefined) {
    router.validateModel = (model) =>
      withFailover(currentProfileScope(), { kind: 'catalogue' }, async (provider) =>
        provider.validateModel === undefined ? undefined : provider.validateModel(model),
      );
  }
  return router;
}
