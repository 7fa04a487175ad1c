import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { createFakeProvider, type FakeProvider, FakeProviderError } from './__fixtures__/fake-provider.js';
import { type FailoverEvent, ProfileLimits } from './profile-failover.js';
import { createProfileRoutingProvider, type ProfileUnavailableEvent } from './profile-routing-provider.js';
import { runInProfileScope } from './profile-scope.js';

const START = 1_800_000_000_000;
const DONE: StreamChunk = { type: 'done', finishReason: 'stop' };
const TEXT: StreamChunk = { type: 'text', text: 'partial answer' };

const usageLimit = (resetsAt: number) =>
  new FakeProviderError('usage-limit-reached', 'You have hit your usage limit.', { status: 429, resetsAt });
const loginFailed = () =>
  new FakeProviderError(
    'unauthorized',
    'Your ChatGPT login could not be refreshed. Run `codetether auth login` to sign in again.',
    { status: 401 },
  );

/** Three profiles in the failover list, each a scripted fake provider, on one injected clock. */
function routerOf(scripts: Record<'work' | 'personal' | 'spare', FakeProvider['scripts']>) {
  const clock = { now: START };
  const providers = {
    work: createFakeProvider(scripts.work),
    personal: createFakeProvider(scripts.personal),
    spare: createFakeProvider(scripts.spare),
  };
  const failovers: FailoverEvent[] = [];
  const unavailable: ProfileUnavailableEvent[] = [];
  const limits = new ProfileLimits(['work', 'personal', 'spare'], () => clock.now);
  const router = createProfileRoutingProvider({
    defaultProfile: 'work',
    defaultProvider: providers.work,
    providerFor: (profile) => providers[profile as keyof typeof providers],
    failover: {
      limits,
      onFailover: (event) => failovers.push(event),
      onProfileUnavailable: (event) => unavailable.push(event),
    },
  });
  const complete = (profile: 'work' | 'personal' | 'spare' = 'work') =>
    runInProfileScope(profile, async (scope) => {
      const chunks: StreamChunk[] = [];
      try {
        for await (const chunk of router.completeStream({ model: 'gpt-5.4', messages: [] }))
          chunks.push(chunk);
        return { chunks, used: scope.used, error: undefined };
      } catch (error) {
        return { chunks, used: scope.used, error: error as FakeProviderError };
      }
    });
  const calls = () => ({
    work: providers.work.requests.length,
    personal: providers.personal.requests.length,
    spare: providers.spare.requests.length,
  });
  return { clock, providers, failovers, unavailable, complete, calls, limits };
}

describe('profile routing against a hostile upstream', () => {
  it('answers one 429 with the earliest reset when every profile is at its limit, then without asking', async () => {
    const reset = { work: START + 600_000, personal: START + 3_600_000, spare: START + 7_200_000 };
    const { complete, calls, clock } = routerOf({
      work: [{ kind: 'throw', error: usageLimit(reset.work) }],
      personal: [{ kind: 'throw', error: usageLimit(reset.personal) }],
      spare: [{ kind: 'throw', error: usageLimit(reset.spare) }],
    });
    const first = await complete();
    expect(first.error).toMatchObject({ code: 'usage-limit-reached', status: 429, resetsAt: reset.work });
    expect(first.error?.retryAfterMs).toBe(600_000);
    expect(first.error?.message).toContain('work, personal, spare');
    expect(calls()).toEqual({ work: 1, personal: 1, spare: 1 });

    // Known limits: the next request is answered at once, without asking any upstream.
    clock.now += 60_000;
    const second = await complete();
    expect(second.error).toMatchObject({ code: 'usage-limit-reached', resetsAt: reset.work });
    expect(second.error?.retryAfterMs).toBe(540_000);
    expect(calls()).toEqual({ work: 1, personal: 1, spare: 1 });
  });

  it('skips a profile whose login failed, reports it once, and tries it again after a while', async () => {
    const { complete, calls, clock, failovers, unavailable, providers } = routerOf({
      work: [{ kind: 'throw', error: loginFailed() }],
      personal: [{ kind: 'chunks', chunks: [TEXT, DONE] }],
      spare: [],
    });
    const first = await complete();
    expect(first.error).toBeUndefined();
    expect(first.used).toBe('personal');
    expect(first.chunks).toEqual([TEXT, DONE]);
    expect(unavailable).toEqual([
      { profile: 'work', reason: 'login', code: 'unauthorized', until: START + 60_000 },
    ]);
    expect(failovers).toMatchObject([{ from: 'work', to: 'personal', reason: 'login' }]);

    // While set aside, work's broken login is not tried again (no refresh storm on the issuer).
    for (let request = 0; request < 5; request += 1) expect((await complete()).used).toBe('personal');
    expect(calls().work).toBe(1);
    expect(unavailable).toHaveLength(1);

    // Fixed, and the wait over: work answers again.
    providers.work.scripts = [{ kind: 'chunks', chunks: [DONE] }];
    clock.now += 60_000;
    const back = await complete();
    expect(back.used).toBe('work');
    expect(calls().work).toBe(2);
  });

  it('reports a broken login once when many requests meet it at the same time', async () => {
    const { complete, unavailable, calls } = routerOf({
      work: [{ kind: 'throw', error: loginFailed() }],
      personal: [{ kind: 'chunks', chunks: [DONE] }],
      spare: [],
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => complete()));
    expect(results.every((result) => result.used === 'personal')).toBe(true);
    expect(calls().work).toBe(20);
    expect(unavailable).toHaveLength(1);
  });

  it("gives the request's own login error when no profile of the list can log in", async () => {
    const { complete } = routerOf({
      work: [
        {
          kind: 'throw',
          error: new FakeProviderError('not-logged-in', "The profile 'work' is not logged in."),
        },
      ],
      personal: [{ kind: 'throw', error: loginFailed() }],
      spare: [{ kind: 'throw', error: loginFailed() }],
    });
    const result = await complete();
    expect(result.error?.code).toBe('not-logged-in');
    expect(result.error?.message).toContain("'work'");
    // Set aside now: answered again without a new attempt, with the same error.
    expect((await complete()).error?.code).toBe('not-logged-in');
  });

  it('never switches profiles once output went out (a limit mid-stream reaches the client as is)', async () => {
    const { complete, calls } = routerOf({
      work: [
        { kind: 'chunks', chunks: [TEXT, { type: 'error', code: 'usage_limit_reached', message: 'limit' }] },
      ],
      personal: [],
      spare: [],
    });
    const result = await complete();
    expect(result.chunks).toEqual([TEXT, { type: 'error', code: 'usage_limit_reached', message: 'limit' }]);
    expect(result.used).toBe('work');
    expect(calls()).toEqual({ work: 1, personal: 0, spare: 0 });
  });

  it('does not fail over on server errors or dropped connections: one attempt, the error as it came', async () => {
    const { complete, calls } = routerOf({
      work: [
        {
          kind: 'throw',
          error: new FakeProviderError('upstream-error', 'Internal server error', { status: 500 }),
        },
        { kind: 'throw', error: new FakeProviderError('network-error', 'socket hang up') },
      ],
      personal: [],
      spare: [],
    });
    expect((await complete()).error?.code).toBe('upstream-error');
    expect((await complete()).error?.code).toBe('network-error');
    expect(calls()).toEqual({ work: 2, personal: 0, spare: 0 });
  });

  it('bounds a hostile reset time: a limit is never kept for more than 8 days', () => {
    const limits = new ProfileLimits(['a', 'b'], () => START);
    expect(limits.markLimited('a', START + 10 * 365 * 24 * 3_600_000)).toBe(START + 8 * 24 * 3_600_000);
  });

  it('requests in flight on a profile when it reaches its limit fail over, none answered with the 429', async () => {
    const limitChunk: StreamChunk = { type: 'error', code: 'usage_limit_reached', message: 'limit' };
    const { complete, calls, providers, failovers } = routerOf({
      work: [{ kind: 'chunks', chunks: [limitChunk], holdAfter: 0 }],
      personal: [{ kind: 'chunks', chunks: [TEXT, DONE] }],
      spare: [],
    });
    // Both sent to work before anything was known: each meets work's limit once, then goes on.
    const bothHeld = providers.work.held();
    const pending = [complete(), complete()];
    await bothHeld;
    providers.work.release();
    const results = await Promise.all(pending);
    expect(results.map((result) => [result.used, result.error, result.chunks])).toEqual([
      ['personal', undefined, [TEXT, DONE]],
      ['personal', undefined, [TEXT, DONE]],
    ]);
    expect(calls()).toEqual({ work: 2, personal: 2, spare: 0 });
    expect(failovers).toHaveLength(2);
    // Started after work was set aside: never sent there.
    expect((await complete()).used).toBe('personal');
    expect(calls()).toEqual({ work: 2, personal: 3, spare: 0 });
  });

  it('a request failing over never tries a profile set aside while it waited on another', async () => {
    const limitChunk: StreamChunk = { type: 'error', code: 'usage_limit_reached', message: 'limit' };
    const { complete, calls, providers, limits } = routerOf({
      // The first request is held on work, then meets work's limit; a later one gets an answer there.
      work: [
        { kind: 'chunks', chunks: [limitChunk], holdAfter: 0 },
        { kind: 'chunks', chunks: [DONE] },
      ],
      personal: [{ kind: 'throw', error: usageLimit(START + 3_600_000) }],
      spare: [{ kind: 'chunks', chunks: [TEXT, DONE] }],
    });
    const workHeld = providers.work.held();
    const held = complete();
    await workHeld;
    // Meanwhile a request of personal meets personal's limit (personal set aside) and goes to work.
    const other = await complete('personal');
    expect(other.used).toBe('work');
    expect(limits.isLimited('personal')).toBe(true);
    expect(calls()).toEqual({ work: 2, personal: 1, spare: 0 });
    providers.work.release();
    // The held request meets work's limit: it goes to spare, past personal, which it never asks.
    const result = await held;
    expect(result.used).toBe('spare');
    expect(result.chunks).toEqual([TEXT, DONE]);
    expect(calls()).toEqual({ work: 2, personal: 1, spare: 1 });
  });
});

describe('stored responses through the profile router', () => {
  it('asks the request’s own profile, never another one, even when it is at its usage limit', async () => {
    const { providers, limits, clock } = routerOf({ work: [], personal: [], spare: [] });
    const asked: string[] = [];
    for (const [name, provider] of Object.entries(providers))
      Object.assign(provider, {
        requestStoredResponse: async () => {
          asked.push(name);
          if (name === 'personal') throw usageLimit(clock.now + 60_000);
          return { status: 200, body: { id: 'resp_x' } };
        },
      });
    const router = createProfileRoutingProvider({
      defaultProfile: 'work',
      defaultProvider: providers.work,
      providerFor: (profile) => providers[profile as keyof typeof providers],
      failover: { limits, onFailover: () => {}, onProfileUnavailable: () => {} },
    });
    const request = { operation: 'retrieve' as const, responseId: 'resp_x' };
    expect(await runInProfileScope('spare', () => router.requestStoredResponse?.(request))).toEqual({
      status: 200,
      body: { id: 'resp_x' },
    });
    const failed = await runInProfileScope('personal', () =>
      router.requestStoredResponse?.(request).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect((failed as FakeProviderError).code).toBe('usage-limit-reached');
    expect(asked).toEqual(['spare', 'personal']);
  });
});
