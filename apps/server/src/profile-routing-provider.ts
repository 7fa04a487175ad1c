import type { ConversationOptions } from '@codetether/provider-codex';
import type { StreamChunk } from '@codetether/responses-protocol';
import type {
  GatewayConversation,
  GatewayModel,
  GatewayProvider,
  GatewayProviderRequestOptions,
  GatewayResponseStream,
} from './gateway-provider.js';
import type { FailoverEvent, ProfileLimits } from './profile-failover.js';
import { currentProfileScope, type ProfileScope } from './profile-scope.js';

/** Options of {@link createProfileRoutingProvider}. */
export interface ProfileRoutingOptions {
  /** The profile of requests outside a profile scope (and of the gateway's own key). */
  defaultProfile: string;
  /** The provider of {@link ProfileRoutingOptions.defaultProfile}. */
  defaultProvider: GatewayProvider;
  /** Creates the provider of another profile (called once per profile, on first use). */
  providerFor: (profile: string) => GatewayProvider;
  /** Failover between profiles at their usage limit (`--failover`); off when absent. */
  failover?: { limits: ProfileLimits; onFailover(event: FailoverEvent): void } | undefined;
}

/** The usage-limit codes: the provider's error code, and the code of an upstream `error` chunk or event. */
const USAGE_LIMIT_CODES = new Set(['usage-limit-reached', 'usage_limit_reached']);

function usageLimitResetOf(error: unknown): { resetsAt: number | undefined } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, resetsAt } = error as { code?: unknown; resetsAt?: unknown };
  if (typeof code !== 'string' || !USAGE_LIMIT_CODES.has(code)) return undefined;
  return { resetsAt: typeof resetsAt === 'number' ? resetsAt : undefined };
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

/**
 * A {@link GatewayProvider} that sends each request with the login of its key's profile (see
 * `runInProfileScope`), keeping one provider per profile, created on first use. With failover, a new
 * conversation (a stateless request, or a conversation's first turn) whose profile is at its usage limit
 * goes to the next profile of the list: before sending when the limit is known, or at once when the
 * upstream answers `usage-limit-reached` before any output — never once a stream has started, and a
 * conversation that already answered stays on its profile. The profile used is written into the scope
 * (the `x-codetether-profile` header).
 *
 * @param options - default profile and provider, how to create the others, failover
 */
// About 155 lines: the provider's methods and the conversation wrapper are closures over the one map of
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

  /** Runs `attempt` on the request's profile, or on the next one while each is at its usage limit. */
  async function withFailover<T>(
    scope: ProfileScope | undefined,
    route: { base?: string | undefined; isNew: boolean },
    attempt: (provider: GatewayProvider, profile: string) => Promise<T>,
  ): Promise<T> {
    const base = route.base ?? scope?.profile ?? options.defaultProfile;
    const isNew = route.isNew;
    const candidates = failover !== undefined && isNew ? failover.limits.candidatesFor(base) : [base];
    for (const [position, profile] of candidates.entries()) {
      if (scope !== undefined) scope.used = profile;
      try {
        const result = await attempt(providerOf(profile), profile);
        if (failover !== undefined && profile !== base) {
          failover.onFailover({
            from: base,
            to: profile,
            limitedUntil: failover.limits.limitedUntilOf(base) ?? Number.NaN,
          });
        }
        return result;
      } catch (error) {
        const limit = usageLimitResetOf(error);
        if (failover === undefined || limit === undefined) throw error;
        failover.limits.markLimited(profile, limit.resetsAt);
        if (position === candidates.length - 1) throw error;
      }
    }
    // Unreachable: the last candidate returns or throws.
    throw new Error('No profile to send the request with.');
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
    route: { base?: string | undefined; isNew: boolean },
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
      const route = { base: routed.profile, isNew: routed.inner.history.length === 0 };
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
      return withFailover(scope, { isNew: false }, (provider) => provider.listModels());
    },
    completeStream(request, requestOptions?: GatewayProviderRequestOptions) {
      return streamWithFailover(currentProfileScope(), { isNew: true }, (provider) =>
        provider.completeStream(request, requestOptions),
      );
    },
    createResponseStream(body, requestOptions): Promise<GatewayResponseStream> {
      const isNew = body.previous_response_id === undefined || body.previous_response_id === null;
      return withFailover(currentProfileScope(), { isNew }, (provider) =>
        provider.createResponseStream(body, requestOptions),
      );
    },
    // biome-ignore lint/plugin: one router lives as long as the gateway; the provider interface has the property.
    get lastRateLimits() {
      const scope = currentProfileScope();
      return providers.get(scope?.used ?? scope?.profile ?? options.defaultProfile)?.lastRateLimits;
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
  return router;
}
