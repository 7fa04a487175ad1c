import { describe, expect, it } from 'vitest';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';

const fixture = startEmulatorPerTest();

function chatgptHeaders(planType = 'plus'): Record<string, string> {
  const tokens = fixture.emulator.issueTokens({ planType });
  return { authorization: `Bearer ${tokens.accessToken}`, 'chatgpt-account-id': tokens.accountId };
}

async function listModels(query: string, headers: Record<string, string>) {
  const response = await fetch(`${fixture.emulator.chatgptBaseUrl}/models${query}`, { headers });
  const body =
    response.status === 200 ? ((await response.json()) as { models: Record<string, unknown>[] }) : undefined;
  return { response, slugs: body?.models.map((model) => model.slug), body };
}

async function respond(model: string, headers: Record<string, string>, extra: Record<string, unknown> = {}) {
  return fetch(`${fixture.emulator.chatgptBaseUrl}/responses`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ model, input: 'hi', stream: true, store: false, ...extra }),
  });
}

describe('GET /backend-api/codex/models', () => {
  it('lists the models of the plan with their metadata, hidden ones marked, retired ones absent', async () => {
    const { response, slugs, body } = await listModels('?client_version=0.171.0', chatgptHeaders());
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^W\/"/);
    expect(slugs).toContain('gpt-5.5');
    expect(slugs).toContain('codex-mini-latest');
    expect(slugs).not.toContain('o3');
    const gpt54 = body?.models.find((model) => model.slug === 'gpt-5.4');
    expect(gpt54).toMatchObject({
      display_name: 'GPT-5.4',
      context_window: 272_000,
      service_tiers: ['priority', 'flex'],
    });
    expect(gpt54).not.toHaveProperty('plans');
    expect(body?.models.find((model) => model.slug === 'codex-mini-latest')?.visibility).toBe('hide');
  });

  it('hides models newer than the client version', async () => {
    expect((await listModels('?client_version=0.99.0', chatgptHeaders())).slugs).not.toContain('gpt-5.5');
    expect((await listModels('?client_version=0.120.0', chatgptHeaders())).slugs).toContain('gpt-5.5');
    expect((await listModels('', chatgptHeaders())).slugs).not.toContain('gpt-5.5');
  });

  it('gives a free plan fewer models, and refuses the others like the real service', async () => {
    const free = chatgptHeaders('free');
    const { slugs } = await listModels('?client_version=0.171.0', free);
    expect(slugs).toEqual(['gpt-5.4-mini', 'gpt-5.1-codex-mini', 'gpt-5-mini']);
    const refused = await respond('gpt-5.4', free);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain(
      "The 'gpt-5.4' model is not supported when using Codex with a ChatGPT account.",
    );
    expect((await respond('gpt-5.4-mini', free)).status).toBe(200);
  });

  it('refuses a retired model, accepts a hidden one', async () => {
    const headers = chatgptHeaders();
    expect((await respond('o3', headers)).status).toBe(400);
    expect((await respond('codex-mini-latest', headers)).status).toBe(200);
  });

  it('answers 304 without a body to a matching If-None-Match, 200 once the list changed', async () => {
    const headers = chatgptHeaders();
    const first = await listModels('?client_version=0.171.0', headers);
    const etag = first.response.headers.get('etag') ?? '';
    const again = await fetch(`${fixture.emulator.chatgptBaseUrl}/models?client_version=0.171.0`, {
      headers: { ...headers, 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    fixture.emulator.setOptions({
      models: [{ slug: 'gpt-6', display_name: 'GPT-6', context_window: 1_000_000 }],
    });
    const changed = await fetch(`${fixture.emulator.chatgptBaseUrl}/models?client_version=0.171.0`, {
      headers: { ...headers, 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(
      ((await changed.json()) as { models: { slug: string }[] }).models.map((model) => model.slug),
    ).toEqual(['gpt-6']);
    expect((await respond('gpt-6', headers)).status).toBe(200);
  });

  it('refuses text.verbosity and service tiers the model does not list', async () => {
    const headers = chatgptHeaders();
    expect((await respond('gpt-5.1-codex', headers, { text: { verbosity: 'low' } })).status).toBe(400);
    expect((await respond('gpt-5.4', headers, { text: { verbosity: 'low' } })).status).toBe(200);
    expect((await respond('gpt-5.2', headers, { service_tier: 'priority' })).status).toBe(400);
    expect((await respond('gpt-5.4', headers, { service_tier: 'priority' })).status).toBe(200);
  });

  it('needs a login', async () => {
    expect((await fetch(`${fixture.emulator.chatgptBaseUrl}/models`)).status).toBe(401);
  });
});

describe('GET /backend-api/codex/usage', () => {
  it('reports the windows and credits without counting a request', async () => {
    fixture.emulator.setOptions({ rateLimit: { primaryUsedPercent: 40, creditsBalance: 12.5 } });
    const response = await fetch(`${fixture.emulator.chatgptBaseUrl}/usage`, { headers: chatgptHeaders() });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      plan_type: 'plus',
      rate_limit: {
        primary_window: { used_percent: 40, limit_window_seconds: 18_000, reset_after_seconds: 3600 },
        secondary_window: { used_percent: 34, limit_window_seconds: 604_800 },
      },
      credits: { has_credits: true, balance: '12.5' },
    });
    const again = await (
      await fetch(`${fixture.emulator.chatgptBaseUrl}/usage`, { headers: chatgptHeaders() })
    ).json();
    expect(again).toMatchObject({ rate_limit: { primary_window: { used_percent: 40 } } });
  });

  it('needs a login', async () => {
    expect((await fetch(`${fixture.emulator.chatgptBaseUrl}/usage`)).status).toBe(401);
  });

  it('answers 403 when switched off', async () => {
    fixture.emulator.setOptions({ usageEndpoint: false });
    expect(
      (await fetch(`${fixture.emulator.chatgptBaseUrl}/usage`, { headers: chatgptHeaders() })).status,
    ).toBe(403);
  });
});
