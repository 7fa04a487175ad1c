import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { createFileCredentialStore } from '@codetether/oauth-pkce';
import { afterEach, describe, expect, it } from 'vitest';
import { collectInto } from './__fixtures__/collected-lines.js';
import { toStoredLogin } from './__fixtures__/emulator-login.js';
import { emulatorProfileProviders } from './__fixtures__/emulator-profile-providers.js';
import { createFileClientKeyStore } from './client-key-store.js';
import { createGatewayCodexProvider } from './gateway-codex-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import { type RunningGateway, startGatewayServer } from './start-gateway-server.js';

const SERVER_KEY = 'ctsk-profiles-hostile-key';
const WORK_ACCOUNT = 'acct-work-0001';
const PERSONAL_ACCOUNT = 'acct-personal-0002';
const WORK_EMAIL = 'work-person@example.com';
const START = 1_800_000_000_000;

interface Setup {
  emulator: Emulator;
  gateway: RunningGateway;
  home: string;
  clock: { now: number };
  logLines: string[];
  laptopKey: string;
  loginOf(profile: 'work' | 'personal'): ReturnType<typeof createFileCredentialStore>;
}

const opened: Setup[] = [];

/** An emulator as two accounts, a gateway failing over work → personal; the server key spends work, `laptop` personal. */
async function startProfiles(transport: 'http' | 'websocket' = 'http'): Promise<Setup> {
  const clock = { now: START };
  const now = () => clock.now;
  const emulator = await startEmulator({ now });
  const home = await mkdtemp(join(tmpdir(), 'codetether-profiles-hostile-'));
  const loginOf = (profile: 'work' | 'personal') => createFileCredentialStore({ home, profile });
  for (const [profile, accountId] of [
    ['work', WORK_ACCOUNT],
    ['personal', PERSONAL_ACCOUNT],
  ] as const) {
    const tokens = emulator.issueTokens({
      accountId,
      email: profile === 'work' ? WORK_EMAIL : 'personal@example.com',
      expiresInSeconds: 3600,
    });
    await loginOf(profile).write(toStoredLogin(tokens, clock.now));
  }
  const keyStore = createFileClientKeyStore({ home });
  const laptopKey = (await keyStore.create('laptop', { profile: 'personal' })).key;
  const providerFor = emulatorProfileProviders(emulator, { home, transport, now });
  const logLines: string[] = [];
  const gateway = await startGatewayServer({
    provider: providerFor('work'),
    apiKey: SERVER_KEY,
    port: 0,
    now,
    clientKeys: { store: keyStore },
    profiles: { serverProfile: 'work', providerFor, failover: ['work', 'personal'] },
    closeProviderOnClose: true,
    logger: createGatewayLogger({ level: 'info', destination: collectInto(logLines) }),
  });
  const setup = { emulator, gateway, home, clock, logLines, laptopKey, loginOf };
  opened.push(setup);
  return setup;
}

afterEach(async () => {
  for (const setup of opened.splice(0)) {
    await setup.gateway.close({ graceMs: 0 });
    await setup.emulator.close();
    await rm(setup.home, { recursive: true, force: true });
  }
});

const chat = (
  setup: Setup,
  content: string,
  options: { key?: string; stream?: boolean; scenario?: string } = {},
) =>
  fetch(`${setup.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.key ?? SERVER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: `[scenario:${options.scenario ?? 'text'}] ${content}` }],
      stream: options.stream ?? false,
    }),
  });
const accountsAsked = (setup: Setup) =>
  setup.emulator.requests
    .filter((request) => request.path.endsWith('/responses'))
    .map((request) => request.headers['chatgpt-account-id']);
const tokenRequests = (setup: Setup) =>
  setup.emulator.requests.filter((request) => request.path === '/oauth/token').length;
const metricValue = async (setup: Setup, series: string) => {
  const text = await (await fetch(`${setup.gateway.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(series));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
};
const profileHealth = async (setup: Setup) => {
  const health = (await (await fetch(`${setup.gateway.url}/healthz`)).json()) as { profiles?: unknown };
  return health.profiles;
};
const expectNoSecrets = async (setup: Setup) => {
  const metrics = await (await fetch(`${setup.gateway.url}/metrics`)).text();
  for (const text of [setup.logLines.join('\n'), metrics]) {
    expect(text).not.toMatch(/eyJ|ctsk-|rt-|@example\.com/);
  }
};

describe.each(['http', 'websocket'] as const)(
  'every profile at its usage limit (%s upstream)',
  (transport) => {
    it('answers one 429 with the earliest reset, then at once without asking the upstream', async () => {
      const setup = await startProfiles(transport);
      const { emulator } = setup;
      // work reaches its limit first, resetting in 10 minutes: the request goes to personal.
      emulator.setOptions({
        usageLimitedAccounts: [WORK_ACCOUNT],
        rateLimit: { primaryResetAfterSeconds: 600 },
      });
      expect((await chat(setup, 'one')).headers.get('x-codetether-profile')).toBe('personal');
      // Then personal, resetting in an hour: the client learns when the first profile is back (work, 10 min).
      emulator.setOptions({
        usageLimitedAccounts: [WORK_ACCOUNT, PERSONAL_ACCOUNT],
        rateLimit: { primaryResetAfterSeconds: 3600 },
      });
      const limited = await chat(setup, 'two');
      expect(limited.status).toBe(429);
      const body = (await limited.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('usage_limit_reached');
      expect(body.error.message).toContain('work, personal');
      expect(Number(limited.headers.get('retry-after'))).toBe(600);
      expect(await profileHealth(setup)).toEqual([
        { profile: 'work', state: 'usage-limit', until: new Date(START + 600_000).toISOString() },
        { profile: 'personal', state: 'usage-limit', until: new Date(START + 3_600_000).toISOString() },
      ]);

      // Known limits: answered without a request upstream, streaming too, with the time left.
      setup.clock.now += 100_000;
      emulator.clearRequests();
      const again = await chat(setup, 'three', { stream: true });
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBe(500);
      await again.text();
      expect(accountsAsked(setup)).toEqual([]);

      // After work's reset it is asked first again.
      setup.clock.now += 500_000;
      emulator.setOptions({ usageLimitedAccounts: [PERSONAL_ACCOUNT] });
      const back = await chat(setup, 'four');
      expect(back.status).toBe(200);
      expect(back.headers.get('x-codetether-profile')).toBe('work');
      await expectNoSecrets(setup);
    });
  },
);

describe('a failure in the middle of a streamed answer (websocket upstream)', () => {
  it('is never answered by another profile once output went out', async () => {
    const setup = await startProfiles('websocket');
    setup.emulator.setOptions({ webSocketCloseAfterEvents: 6 });
    const response = await chat(setup, 'hi', { stream: true, scenario: 'ws-close-1006' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-codetether-profile')).toBe('work');
    const text = await response.text();
    expect(text).toContain('"content":"Hello"');
    expect(text).toContain('"error"');
    expect(text.match(/"content":"Hello"/g)).toHaveLength(1);
    expect(accountsAsked(setup)).not.toContain(PERSONAL_ACCOUNT);
    expect(await metricValue(setup, 'codetether_server_failovers_total')).toBe(0);
  });
});

describe('a profile whose login is broken (emulator behind)', () => {
  it('skips an unreadable login, logs and counts it, and uses it again once fixed', async () => {
    const setup = await startProfiles();
    const location = setup.loginOf('work').location;
    await writeFile(location, '{"type":"chatgpt","tokens":', { mode: 0o600 });
    const served = await chat(setup, 'hi');
    expect(served.status).toBe(200);
    expect(served.headers.get('x-codetether-profile')).toBe('personal');
    expect(accountsAsked(setup)).toEqual([PERSONAL_ACCOUNT]);
    const logged = setup.logLines.find((line) => line.includes("the login of profile 'work' failed"));
    expect(logged).toContain('codetether auth login --profile work');
    expect(await metricValue(setup, 'codetether_server_profile_login_failures_total{profile="work"}')).toBe(
      1,
    );
    expect(await metricValue(setup, 'codetether_server_failovers_total{from="work",to="personal"}')).toBe(1);
    expect(await profileHealth(setup)).toEqual([
      { profile: 'work', state: 'login', until: new Date(START + 60_000).toISOString() },
      { profile: 'personal', state: 'available' },
    ]);

    // Fixed: after the retry wait, work answers again.
    await unlink(location);
    const tokens = setup.emulator.issueTokens({ accountId: WORK_ACCOUNT, expiresInSeconds: 3600 });
    await setup.loginOf('work').write(toStoredLogin(tokens, setup.clock.now));
    setup.clock.now += 61_000;
    setup.emulator.clearRequests();
    const back = await chat(setup, 'again');
    expect(back.headers.get('x-codetether-profile')).toBe('work');
    expect(accountsAsked(setup)).toEqual([WORK_ACCOUNT]);
    expect(await profileHealth(setup)).toEqual([
      { profile: 'work', state: 'available' },
      { profile: 'personal', state: 'available' },
    ]);
    await expectNoSecrets(setup);
  });

  it('lists the models with another profile while the own login is broken, not while it is only limited', async () => {
    const models = (setup: Setup) =>
      fetch(`${setup.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${SERVER_KEY}` } });
    const broken = await startProfiles();
    await writeFile(broken.loginOf('work').location, 'garbage', { mode: 0o600 });
    const whileBroken = await models(broken);
    expect(whileBroken.status).toBe(200);
    expect(whileBroken.headers.get('x-codetether-profile')).toBe('personal');
    expect(((await whileBroken.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);

    const limited = await startProfiles();
    limited.emulator.setOptions({ usageLimitedAccounts: [WORK_ACCOUNT] });
    expect((await chat(limited, 'limited')).headers.get('x-codetether-profile')).toBe('personal');
    const whileLimited = await models(limited);
    expect(whileLimited.status).toBe(200);
    expect(whileLimited.headers.get('x-codetether-profile')).toBe('work');
  });

  it('skips a login whose refresh token is rejected, without asking the login server again for a while', async () => {
    const setup = await startProfiles();
    const stale = setup.emulator.issueTokens({ accountId: WORK_ACCOUNT, expiresInSeconds: -60 });
    await setup
      .loginOf('work')
      .write(toStoredLogin({ ...stale, refreshToken: 'rt-revoked-by-the-issuer' }, setup.clock.now));
    let refreshesAfterFirst = 0;
    for (let request = 0; request < 5; request += 1) {
      const response = await chat(setup, `hi ${request}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-codetether-profile')).toBe('personal');
      if (request === 0) refreshesAfterFirst = tokenRequests(setup);
    }
    // The first request tried the refresh (its model check and its turn: at most twice); no later one did.
    expect(tokenRequests(setup)).toBeLessThanOrEqual(2);
    expect(refreshesAfterFirst).toBe(tokenRequests(setup));
    expect(await metricValue(setup, 'codetether_server_profile_login_failures_total{profile="work"}')).toBe(
      1,
    );
    await expectNoSecrets(setup);
  });

  it('fails over once the login is deleted while the gateway runs and its token expired', async () => {
    const setup = await startProfiles();
    expect((await chat(setup, 'before')).headers.get('x-codetether-profile')).toBe('work');
    await unlink(setup.loginOf('work').location);
    setup.clock.now += 2 * 3600 * 1000;
    const after = await chat(setup, 'after');
    expect(after.status).toBe(200);
    expect(after.headers.get('x-codetether-profile')).toBe('personal');
  });

  it("still answers a key outside the list with its own profile's login error", async () => {
    const setup = await startProfiles();
    const keyStore = createFileClientKeyStore({ home: setup.home });
    const ghostKey = (await keyStore.create('ghost', { profile: 'ghost' })).key;
    const response = await chat(setup, 'hi', { key: ghostKey });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_logged_in');
    expect(accountsAsked(setup)).toEqual([]);
  });
});

describe('the login error of a key outside the failover list (emulator behind)', () => {
  it('names the profile and its login command, and no path of the gateway machine', async () => {
    const setup = await startProfiles();
    const keyStore = createFileClientKeyStore({ home: setup.home });
    const soloKey = (await keyStore.create('solo', { profile: 'solo' })).key;
    const solo = createFileCredentialStore({ home: setup.home, profile: 'solo' });
    const stale = setup.emulator.issueTokens({ accountId: 'acct-solo-0003', expiresInSeconds: -60 });
    await solo.write(toStoredLogin({ ...stale, refreshToken: 'rt-revoked-by-the-issuer' }, setup.clock.now));
    const rejected = await chat(setup, 'hi', { key: soloKey });
    expect(rejected.status).toBe(401);
    const rejectedBody = (await rejected.json()) as { error: { code: string; message: string } };
    expect(rejectedBody.error.code).toBe('unauthorized');
    expect(rejectedBody.error.message).toContain('codetether auth login --profile solo');

    await unlink(solo.location);
    await writeFile(solo.location, 'garbage', { mode: 0o600 });
    const corrupt = await chat(setup, 'hi', { key: soloKey });
    expect(corrupt.status).toBe(401);
    const corruptBody = (await corrupt.json()) as { error: { code: string; message: string } };
    expect(corruptBody.error.message).toContain('codetether auth login --profile solo');
    expect(corruptBody.error.message).not.toContain(setup.home);
    expect(accountsAsked(setup)).toEqual([]);
  });
});

describe('profiles under load and across conversations (emulator behind)', () => {
  it('refreshes each expired login once for 200 concurrent requests', async () => {
    const setup = await startProfiles();
    for (const [profile, accountId] of [
      ['work', WORK_ACCOUNT],
      ['personal', PERSONAL_ACCOUNT],
    ] as const) {
      const expired = setup.emulator.issueTokens({ accountId, expiresInSeconds: -60 });
      await setup.loginOf(profile).write(toStoredLogin(expired, setup.clock.now));
    }
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        chat(setup, `load ${index}`, index % 2 === 0 ? {} : { key: setup.laptopKey }),
      ),
    );
    const statuses = await Promise.all(
      responses.map(async (response) => {
        await response.arrayBuffer();
        return `${response.status} ${response.headers.get('x-codetether-profile')}`;
      }),
    );
    expect(statuses.filter((status) => status === '200 work')).toHaveLength(100);
    expect(statuses.filter((status) => status === '200 personal')).toHaveLength(100);
    expect(tokenRequests(setup)).toBe(2);
  });

  it("reports each profile's usage windows under its own name in /metrics, never mixed", async () => {
    const setup = await startProfiles();
    setup.emulator.setOptions({ rateLimit: { primaryUsedPercent: 10, incrementPerRequest: 0 } });
    expect((await chat(setup, 'work')).headers.get('x-codetether-profile')).toBe('work');
    setup.emulator.setOptions({ rateLimit: { primaryUsedPercent: 80, incrementPerRequest: 0 } });
    const personal = await chat(setup, 'personal', { key: setup.laptopKey });
    expect(personal.headers.get('x-codex-primary-used-percent')).toBe('80');
    const metrics = await (await fetch(`${setup.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/codetether_upstream_usage_used_percent\{window="primary",profile="work"\} 10\n/);
    expect(metrics).toMatch(
      /codetether_upstream_usage_used_percent\{window="primary",profile="personal"\} 80\n/,
    );
    expect(metrics).not.toMatch(/codetether_upstream_usage_used_percent\{window="primary"\}/);
  });

  it('keeps a conversation on the profile that answered it, never on another key or account', async () => {
    const setup = await startProfiles();
    setup.emulator.setOptions({
      usageLimitedAccounts: [WORK_ACCOUNT],
      rateLimit: { primaryResetAfterSeconds: 60 },
    });
    const respond = (body: Record<string, unknown>, key = SERVER_KEY) =>
      fetch(`${setup.gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-5.4', ...body }),
      });
    const first = await respond({ input: '[scenario:text] start' });
    expect(first.headers.get('x-codetether-profile')).toBe('personal');
    const { id } = (await first.json()) as { id: string };

    // work is back; the conversation stays on personal's account.
    setup.clock.now += 61_000;
    setup.emulator.setOptions({ usageLimitedAccounts: [] });
    expect((await chat(setup, 'a new one')).headers.get('x-codetether-profile')).toBe('work');
    setup.emulator.clearRequests();
    const next = await respond({ input: '[scenario:text] go on', previous_response_id: id });
    expect(next.status).toBe(200);
    expect(next.headers.get('x-codetether-profile')).toBe('personal');
    expect(accountsAsked(setup)).toEqual([PERSONAL_ACCOUNT]);
    const { id: nextId } = (await next.json()) as { id: string };

    // Another key (even one spending personal) cannot continue it.
    const stranger = await respond({ input: 'x', previous_response_id: nextId }, setup.laptopKey);
    expect(stranger.status).toBe(400);
    expect(((await stranger.json()) as { error: { code: string } }).error.code).toBe(
      'previous_response_not_found',
    );

    // personal at its limit: the continuation gets personal's 429, it is not moved to work.
    setup.emulator.setOptions({ usageLimitedAccounts: [PERSONAL_ACCOUNT] });
    setup.emulator.clearRequests();
    const limited = await respond({ input: '[scenario:text] more', previous_response_id: nextId });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-codetether-profile')).toBe('personal');
    expect(accountsAsked(setup)).toEqual([PERSONAL_ACCOUNT]);
  });
});

describe('hostile profile names given to startGatewayServer', () => {
  it('refuses them before listening, with the rule', async () => {
    const provider = createGatewayCodexProvider({ env: {}, home: false });
    for (const name of ['../x', 'a'.repeat(200), 'work\u001b[31m', 'Work']) {
      await expect(
        startGatewayServer({
          provider,
          apiKey: SERVER_KEY,
          port: 0,
          profiles: { providerFor: () => provider, failover: ['personal', name] },
          logger: createGatewayLogger({ level: 'silent' }),
        }),
      ).rejects.toThrow(/The profile name .* is not valid/);
    }
    await expect(
      startGatewayServer({
        provider,
        apiKey: SERVER_KEY,
        port: 0,
        profiles: { serverProfile: '../../etc' },
        logger: createGatewayLogger({ level: 'silent' }),
      }),
    ).rejects.toThrow(/The profile name "\.\.\/\.\.\/etc" is not valid/);
  });
});
