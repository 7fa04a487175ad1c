// Three real gateway processes sharing one login and their client keys in one real Redis, in front of
// the emulator: refresh exactly once under load, a replica killed while it holds the refresh lock,
// Redis restarted under load, and client keys that never see each other's conversations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisCredentialStore, inspectRedisStore } from '@codetether/credential-store-redis';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { DEFAULT_STORE_READ_INTERVAL_MS } from '@codetether/oauth-pkce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  startTestRedisServer,
  type TestRedisServer,
} from '../../../scripts/testing/redis-server.js';
import { toStoredLogin } from './__fixtures__/emulator-login.js';
import {
  type GatewayProcess,
  gatewayEnvironment,
  runServerCli,
  startGatewayProcess,
} from './__fixtures__/gateway-process.js';

if (!hasRedisServer) {
  console.warn(
    'redis-server is not installed: skipping the 3-replica gateway test (apt-get install redis-server; .ci/run installs it).',
  );
}

const SERVER_KEY = 'ctsk-replicas-test-key';
/** The refresh lock's lifetime in this test: a killed holder delays the others about this long. */
const LOCK_TTL_MS = 1000;

interface Answer {
  status: number;
  body: string;
}

async function chatStream(gateway: GatewayProcess, key: string, text = 'hello'): Promise<Answer> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-5.4', stream: true, messages: [{ role: 'user', content: text }] }),
  });
  return { status: response.status, body: await response.text() };
}

async function createResponse(gateway: GatewayProcess, key: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${gateway.url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-5.4', input: '[scenario:text] hello', ...extra }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const completed = (answer: Answer) => answer.status === 200 && answer.body.includes('data: [DONE]');

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!hasRedisServer)('three gateway replicas on one Redis', () => {
  let redis: TestRedisServer;
  let emulator: Emulator;
  let storeUrl: string;
  const homes: string[] = [];
  const replicas: GatewayProcess[] = [];
  const keys: { alpha: string; beta: string } = { alpha: '', beta: '' };

  const environmentOf = (replica: number) =>
    gatewayEnvironment({
      CODETETHER_HOME: homes[replica] ?? '',
      CODETETHER_STORE: storeUrl,
      CODETETHER_SERVER_API_KEY: SERVER_KEY,
      CODETETHER_AUTH_ISSUER: emulator.issuerUrl,
      CODETETHER_CHATGPT_BASE_URL: `${emulator.url}/backend-api/codex`,
      CODETETHER_TRANSPORT: 'http',
      CODETETHER_LOG_LEVEL: 'error',
    });
  const refreshRequests = () =>
    emulator.requests.filter(
      (request) =>
        request.path === '/oauth/token' &&
        (request.body as Record<string, unknown> | undefined)?.grant_type === 'refresh_token',
    ).length;
  /**
   * Writes a login straight into Redis, as another process would. `seenByReplicas`: then waits out
   * the replicas' store read interval, after which every replica uses the login written.
   */
  const writeLogin = async (expiresInSeconds: number, { seenByReplicas = false } = {}) => {
    const store = createRedisCredentialStore({ url: storeUrl });
    try {
      await store.write(toStoredLogin(emulator.issueTokens({ expiresInSeconds })));
    } finally {
      await store.close();
    }
    if (seenByReplicas) await sleep(DEFAULT_STORE_READ_INTERVAL_MS);
  };
  const readLogin = async () => {
    const store = createRedisCredentialStore({ url: storeUrl });
    try {
      return await store.read();
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    redis = await startTestRedisServer({ persistent: true });
    emulator = await startEmulator();
    storeUrl = `${redis.url}?lock_ttl_ms=${LOCK_TTL_MS}`;
    for (let replica = 0; replica < 3; replica += 1) {
      homes.push(await mkdtemp(join(tmpdir(), `codetether-replica-${replica}-`)));
    }
    await writeLogin(3600);
    replicas.push(
      ...(await Promise.all([0, 1, 2].map((replica) => startGatewayProcess(environmentOf(replica))))),
    );
    // Two client keys, created through two different replicas' settings.
    const alpha = await runServerCli(environmentOf(0), ['keys', 'create', 'alpha']);
    const beta = await runServerCli(environmentOf(1), ['keys', 'create', 'beta']);
    expect([alpha.code, beta.code], alpha.stderr + beta.stderr).toEqual([0, 0]);
    keys.alpha = alpha.stdout.trim();
    keys.beta = beta.stdout.trim();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.kill()));
    await emulator?.close();
    await redis?.close();
    await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
  });

  it('300 concurrent streams over 3 replicas with an expired login: exactly one refresh, all complete', {
    timeout: 30_000,
  }, async () => {
    await writeLogin(-60, { seenByReplicas: true });
    const before = refreshRequests();
    const clientKeys = [SERVER_KEY, keys.alpha, keys.beta];
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        chatStream(replicas[index % 3] as GatewayProcess, clientKeys[index % 3] ?? SERVER_KEY),
      ),
    );
    const failures = answers.filter((answer) => !completed(answer));
    expect(failures.slice(0, 3)).toEqual([]);
    expect(refreshRequests() - before).toBe(1);
    const login = await readLogin();
    expect(login?.tokens.expiresAt).toBeGreaterThan(Date.now());
  });

  it('a replica SIGKILLed while it holds the refresh lock delays the others by the lock expiry and loses nothing', {
    timeout: 30_000,
  }, async () => {
    const [victim, ...survivors] = replicas;
    if (victim === undefined) throw new Error('no replica');
    await writeLogin(-60, { seenByReplicas: true });
    const before = refreshRequests();
    // The issuer holds the refresh request (before it takes effect) until its client is gone.
    emulator.setOptions({ tokenEndpointHoldMs: 60_000 });
    const doomed = chatStream(victim, SERVER_KEY).catch((error: unknown) => error);
    await waitFor(() => refreshRequests() > before, 'the victim’s refresh request');
    expect(await inspectRedisStore({ url: storeUrl })).toMatchObject({ lockHeld: true });
    await victim.kill();
    emulator.setOptions({ tokenEndpointHoldMs: 0 });
    expect(await doomed).toBeInstanceOf(Error);

    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        chatStream(survivors[index % 2] as GatewayProcess, SERVER_KEY),
      ),
    );
    const waited = performance.now() - started;
    expect(answers.filter((answer) => !completed(answer)).slice(0, 3)).toEqual([]);
    // The lock expired by itself (no one waited for the 60 s lock timeout); the survivors refreshed once.
    expect(waited).toBeLessThan(LOCK_TTL_MS + 10_000);
    expect(refreshRequests() - before).toBe(2);
    const login = await readLogin();
    expect(login?.tokens.expiresAt).toBeGreaterThan(Date.now());
    expect(await inspectRedisStore({ url: storeUrl })).toMatchObject({ lockHeld: false, loggedIn: true });
  });

  it('Redis restarted under load: 503 store_unavailable while down (never 401), full service after, login kept', {
    timeout: 40_000,
  }, async () => {
    const survivors = replicas.slice(1);
    const loginBefore = await readLogin();
    const answers: Answer[] = [];
    let stopping = false;
    let requestIndex = 0;
    const clientKeys = [SERVER_KEY, keys.alpha, keys.beta];
    const worker = async () => {
      while (!stopping) {
        requestIndex += 1;
        const replica = survivors[requestIndex % 2] as GatewayProcess;
        answers.push(await chatStream(replica, clientKeys[requestIndex % 3] ?? SERVER_KEY));
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const count = (predicate: (answer: Answer) => boolean) => answers.filter(predicate).length;
    const unavailable = (answer: Answer) =>
      answer.status === 503 &&
      (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code === 'store_unavailable';

    await waitFor(() => count(completed) >= 30, 'service before the restart');
    await redis.stop();
    const whileDown = answers.length;
    await waitFor(
      () => answers.slice(whileDown).filter(unavailable).length >= 15,
      '503 store_unavailable answers while Redis is down',
    );
    // The keys command says so in one line and fails.
    const listed = await runServerCli(environmentOf(2), ['keys', 'list']);
    expect(listed.code).toBe(1);
    expect(listed.stderr.trim().split('\n')).toHaveLength(1);
    expect(listed.stderr).toMatch(/unavailable.*Check that Redis is running/);

    await redis.start();
    const afterRestart = answers.length;
    await waitFor(
      () => answers.slice(afterRestart).filter(completed).length >= 30,
      'full service after the restart',
    );
    stopping = true;
    await Promise.all(workers);

    const other = answers.filter((answer) => !completed(answer) && !unavailable(answer));
    expect(other.map((answer) => `${answer.status} ${answer.body.slice(0, 200)}`)).toEqual([]);
    // After the restart everything succeeds again (a request that raced the restart may have failed).
    expect(answers.slice(afterRestart + 16).every(completed)).toBe(true);
    expect((await readLogin())?.tokens.refreshToken).toBe(loginBefore?.tokens.refreshToken);
  });

  it('two client keys created on different replicas never see each other’s conversations; revocation is immediate everywhere', {
    timeout: 20_000,
  }, async () => {
    const [, first, second] = replicas;
    if (first === undefined || second === undefined) throw new Error('no replica');
    const alphaResponse = await createResponse(first, keys.alpha);
    expect(alphaResponse.status).toBe(200);
    const previous = { previous_response_id: alphaResponse.body.id, input: '[scenario:text] and then?' };
    for (const replica of [first, second]) {
      const stolen = await createResponse(replica, keys.beta, previous);
      expect(stolen.status).toBe(400);
      expect(stolen.body).toMatchObject({ error: { code: 'previous_response_not_found' } });
    }
    expect((await createResponse(first, keys.alpha, previous)).status).toBe(200);

    const list = await runServerCli(environmentOf(1), ['keys', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^alpha\s/m);
    expect(list.stdout).toMatch(/^beta\s/m);

    const revoked = await runServerCli(environmentOf(2), ['keys', 'revoke', 'alpha']);
    expect(revoked.code).toBe(0);
    for (const replica of [first, second]) {
      const refused = await createResponse(replica, keys.alpha);
      expect(refused.status).toBe(401);
    }
    expect((await createResponse(second, keys.beta)).status).toBe(200);
  });
});
