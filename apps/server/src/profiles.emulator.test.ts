import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { createFileCredentialStore } from '@codetether/oauth-pkce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectInto } from './__fixtures__/collected-lines.js';
import { toStoredLogin } from './__fixtures__/emulator-login.js';
import { emulatorProfileProviders } from './__fixtures__/emulator-profile-providers.js';
import { createFileClientKeyStore } from './client-key-store.js';
import { createGatewayLogger } from './gateway-logger.js';
import { runServerCommand } from './server-command.js';
import { type RunningGateway, startGatewayServer } from './start-gateway-server.js';

const SERVER_KEY = 'ctsk-profiles-test-key';
const WORK_ACCOUNT = 'acct-work-0001';
const PERSONAL_ACCOUNT = 'acct-personal-0002';

describe.each(['http', 'websocket'] as const)(
  'login profiles and failover on the gateway (emulator behind, %s upstream)',
  (transport) => {
    let emulator: Emulator;
    let gateway: RunningGateway;
    let home: string;
    let clock: number;
    const logLines: string[] = [];
    const keys: Record<string, string> = {};

    beforeAll(async () => {
      clock = 1_800_000_000_000;
      const now = () => clock;
      emulator = await startEmulator({ now });
      home = await mkdtemp(join(tmpdir(), 'codetether-profiles-'));
      for (const [profile, accountId] of [
        ['work', WORK_ACCOUNT],
        ['personal', PERSONAL_ACCOUNT],
      ] as const) {
        const tokens = emulator.issueTokens({ accountId, expiresInSeconds: 30 * 24 * 3600 });
        await createFileCredentialStore({ home, profile }).write(toStoredLogin(tokens, clock));
      }
      const keyStore = createFileClientKeyStore({ home });
      keys.laptop = (await keyStore.create('laptop', { profile: 'personal' })).key;
      keys.ghost = (await keyStore.create('ghost', { profile: 'ghost' })).key;
      const providerFor = emulatorProfileProviders(emulator, { home, transport, now });
      gateway = await startGatewayServer({
        provider: providerFor('work'),
        apiKey: SERVER_KEY,
        port: 0,
        now,
        clientKeys: { store: keyStore },
        profiles: { serverProfile: 'work', providerFor, failover: ['work', 'personal'] },
        closeProviderOnClose: true,
        logger: createGatewayLogger({
          level: 'info',
          destination: collectInto(logLines),
        }),
      });
    }, 30_000);
    afterAll(async () => {
      await gateway?.close({ graceMs: 0 });
      await emulator?.close();
      if (home !== undefined) await rm(home, { recursive: true, force: true });
    });
    beforeEach(() => {
      emulator.setOptions({ now: () => clock, usageLimitedAccounts: [] });
      emulator.clearRequests();
    });

    const chat = (key: string, messages: Array<{ role: string; content: string }>, stream = false) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-5.4', messages, stream }),
      });
    const accountsAsked = () =>
      emulator.requests
        .filter((request) => request.path.endsWith('/responses'))
        .map((request) => request.headers['chatgpt-account-id']);
    const failoverCount = async () => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((candidate) =>
          candidate.startsWith('codetether_server_failovers_total{from="work",to="personal"}'),
        );
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };

    it("spends the key's profile and names it in x-codetether-profile", async () => {
      const own = await chat(SERVER_KEY, [{ role: 'user', content: '[scenario:text] hi' }]);
      expect(own.status).toBe(200);
      expect(own.headers.get('x-codetether-profile')).toBe('work');
      const laptop = await chat(keys.laptop ?? '', [{ role: 'user', content: '[scenario:text] hi' }], true);
      expect(laptop.status).toBe(200);
      expect(laptop.headers.get('x-codetether-profile')).toBe('personal');
      await laptop.text();
      expect(accountsAsked()).toEqual([WORK_ACCOUNT, PERSONAL_ACCOUNT]);
      const models = await fetch(`${gateway.url}/v1/models`, {
        headers: { authorization: `Bearer ${keys.laptop}` },
      });
      expect(models.headers.get('x-codetether-profile')).toBe('personal');
    });

    it('answers a key whose profile has no login with a 401 naming the profile and the login command', async () => {
      const response = await chat(keys.ghost ?? '', [{ role: 'user', content: 'hi' }]);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { message: string; code: string } };
      expect(body.error.code).toBe('not_logged_in');
      expect(body.error.message).toContain("The profile 'ghost' is not logged in");
      expect(body.error.message).toContain('codetether auth login --profile ghost');
    });

    it('moves new conversations only, keeps a continued one on its profile, and comes back after the reset', async () => {
      // A conversation starts on work before the limit.
      const history = [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '[scenario:text] first question' },
      ];
      const first = await chat(SERVER_KEY, history);
      expect(first.headers.get('x-codetether-profile')).toBe('work');
      const answer = (await first.json()) as { choices: Array<{ message: { content: string } }> };
      history.push(
        { role: 'assistant', content: answer.choices[0]?.message.content ?? '' },
        { role: 'user', content: '[scenario:text] and then?' },
      );

      emulator.setOptions({ usageLimitedAccounts: [WORK_ACCOUNT] });
      emulator.clearRequests();
      // A new conversation: work answers with its usage limit, so it goes to personal at once.
      const moved = await chat(SERVER_KEY, [{ role: 'user', content: '[scenario:text] a new topic' }], true);
      expect(moved.status).toBe(200);
      expect(moved.headers.get('x-codetether-profile')).toBe('personal');
      expect(await moved.text()).toContain('data: [DONE]');
      expect(accountsAsked()).toEqual([WORK_ACCOUNT, PERSONAL_ACCOUNT]);
      expect(await failoverCount()).toBe(1);
      const logged = logLines.find((line) => line.includes('is at its usage limit'));
      expect(logged).toBeDefined();
      expect(JSON.parse(logged ?? '{}')).toMatchObject({
        from: 'work',
        to: 'personal',
        until: expect.any(String),
      });
      expect(logLines.join('')).not.toMatch(/eyJ|ctsk-/);

      // The next new conversation skips work without asking it (its reset time is known).
      emulator.clearRequests();
      const direct = await chat(SERVER_KEY, [{ role: 'user', content: '[scenario:text] another topic' }]);
      expect(direct.headers.get('x-codetether-profile')).toBe('personal');
      expect(accountsAsked()).toEqual([PERSONAL_ACCOUNT]);
      expect(await failoverCount()).toBe(2);
      const responses = await fetch(`${gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-5.4', input: '[scenario:text] via responses', stream: true }),
      });
      expect(responses.status).toBe(200);
      expect(responses.headers.get('x-codetether-profile')).toBe('personal');
      await responses.text();
      expect(await failoverCount()).toBe(3);

      // The continued conversation stays on work and gets work's limit.
      emulator.clearRequests();
      const continued = await chat(SERVER_KEY, history);
      expect(continued.status).toBe(429);
      expect(continued.headers.get('x-codetether-profile')).toBe('work');
      expect(((await continued.json()) as { error: { code: string } }).error.code).toBe(
        'usage_limit_reached',
      );
      expect(accountsAsked()).toEqual([WORK_ACCOUNT]);

      // After the reset time, work answers new conversations again.
      const resetAfterMs = Number(continued.headers.get('retry-after')) * 1000;
      expect(resetAfterMs).toBeGreaterThan(0);
      clock += resetAfterMs + 1000;
      emulator.setOptions({ usageLimitedAccounts: [] });
      emulator.clearRequests();
      const back = await chat(SERVER_KEY, [{ role: 'user', content: '[scenario:text] after the reset' }]);
      expect(back.status).toBe(200);
      expect(back.headers.get('x-codetether-profile')).toBe('work');
      expect(accountsAsked()).toEqual([WORK_ACCOUNT]);
      expect(await failoverCount()).toBe(3);
    });

    it('moves a new /v1/responses request (streamed or not) that meets a limit not yet known', async () => {
      for (const stream of [true, false]) {
        // A limit only the upstream knows of: work answers its 429 once, then is set aside.
        clock += 24 * 3600 * 1000;
        emulator.setOptions({ usageLimitedAccounts: [WORK_ACCOUNT] });
        emulator.clearRequests();
        const response = await fetch(`${gateway.url}/v1/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-5.4', input: '[scenario:text] unknown limit', stream }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-codetether-profile')).toBe('personal');
        expect(await response.text()).not.toContain('usage_limit');
        expect(accountsAsked()).toEqual([WORK_ACCOUNT, PERSONAL_ACCOUNT]);
      }
    });
  },
);

describe('codetether-server --failover (emulator behind)', () => {
  it('wires the profiles of the command line: the first failover profile, then the next at its limit', async () => {
    const emulator = await startEmulator();
    const home = await mkdtemp(join(tmpdir(), 'codetether-failover-command-'));
    try {
      for (const [profile, accountId] of [
        ['work', WORK_ACCOUNT],
        ['personal', PERSONAL_ACCOUNT],
      ] as const) {
        await createFileCredentialStore({ home, profile }).write(
          toStoredLogin(emulator.issueTokens({ accountId })),
        );
      }
      emulator.setOptions({ usageLimitedAccounts: [WORK_ACCOUNT] });
      const started = await runServerCommand(['--port', '0', '--failover', 'work,personal'], {
        env: {
          CODETETHER_HOME: home,
          CODETETHER_SERVER_API_KEY: SERVER_KEY,
          CODETETHER_AUTH_ISSUER: emulator.issuerUrl,
          CODETETHER_CHATGPT_BASE_URL: emulator.chatgptBaseUrl,
          CODETETHER_TRANSPORT: 'http',
        },
        stdout: () => {},
        stderr: () => {},
        logger: createGatewayLogger({ level: 'silent' }),
      });
      if (started === undefined) throw new Error('the gateway did not start');
      try {
        expect(started.settings).toMatchObject({ profile: 'work', failover: ['work', 'personal'] });
        const response = await fetch(`${started.gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-5.4',
            messages: [{ role: 'user', content: '[scenario:text] hi' }],
          }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-codetether-profile')).toBe('personal');
      } finally {
        await started.gateway.close({ graceMs: 0 });
      }
    } finally {
      await emulator.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
