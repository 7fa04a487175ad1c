import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEXT_ANSWER } from '@codetether/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';

const require = createRequire(import.meta.url);
const codexScript = require.resolve('@openai/codex/bin/codex.js');

function runCodex(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // stdin closed: `codex exec` otherwise waits for more prompt text on it.
    const child = spawn(process.execPath, [codexScript, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += String(data);
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += String(data);
    });
    child.on('error', (error) => resolve({ code: 1, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const version = await runCodex(['--version'], {});
const codexRuns = version.code === 0;
if (!codexRuns) {
  console.warn(
    `Skipping the Codex CLI tests: the @openai/codex binary cannot run on this platform (${version.stderr.trim()}).`,
  );
}

describe.skipIf(!codexRuns)('the Codex CLI in front of the gateway (WebSocket end to end)', () => {
  let harness: GatewayHarness;
  let codexHome: string;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport: 'websocket' });
    codexHome = await mkdtemp(join(tmpdir(), 'codex-home-'));
    await writeFile(
      join(codexHome, 'config.toml'),
      [
        'model = "gpt-5.4"',
        'model_provider = "codetether"',
        '',
        '[model_providers.codetether]',
        'name = "CodeTether gateway"',
        `base_url = "${harness.baseUrl}"`,
        'env_key = "CODETETHER_GATEWAY_KEY"',
        'wire_api = "responses"',
        'supports_websockets = true',
        `model_catalog_url = "${harness.baseUrl}/models"`,
        '',
      ].join('\n'),
    );
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
    if (codexHome !== undefined) await rm(codexHome, { recursive: true, force: true });
  });

  it('codex exec answers over the gateway WebSocket, without falling back to HTTP', {
    timeout: 90_000,
  }, async () => {
    const result = await runCodex(
      ['exec', '--skip-git-repo-check', '--sandbox', 'read-only', '[scenario:text] hello'],
      { CODEX_HOME: codexHome, CODETETHER_GATEWAY_KEY: TEST_SERVER_KEY },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain(TEXT_ANSWER);
    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /codetether_server_requests_total\{method="GET",route="\/v1\/responses",status="101"\} [1-9]/,
    );
    expect(metrics).not.toMatch(/route="\/v1\/responses",status="405"/);
    expect(metrics).not.toMatch(/method="POST",route="\/v1\/responses"/);
    // The account's usage windows reached the CLI (the upstream's `codex.rate_limits`, relayed to Codex
    // clients): its session log records them, where it records `null` without them.
    const sessions = await readdir(join(codexHome, 'sessions'), { recursive: true });
    const logs = await Promise.all(
      sessions
        .filter((name) => name.endsWith('.jsonl'))
        .map((name) => readFile(join(codexHome, 'sessions', name), 'utf8')),
    );
    expect(logs.join('\n')).toMatch(/"rate_limits":\{[^}]*"primary":\{"used_percent":\d/);
  });

  it('codex exec runs a tool turn; the turn after it sends only the new items', {
    timeout: 90_000,
  }, async () => {
    harness.emulator.clearRequests();
    const result = await runCodex(
      ['exec', '--skip-git-repo-check', '--sandbox', 'read-only', '[scenario:tool-call] list the files'],
      { CODEX_HOME: codexHome, CODETETHER_GATEWAY_KEY: TEST_SERVER_KEY },
    );
    const requests = harness.emulator.requests.filter(
      (request) => request.path.endsWith('/responses') && request.method === 'POST',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(requests.map((request) => request.scenario)).toEqual(['tool-call', 'tool-result']);
    const [first, second] = requests;
    expect(second?.connectionId).toBe(first?.connectionId);
    expect(second?.previousResponseId).toMatch(/^resp_/);
    expect(second?.inputItems).toBeLessThan(first?.inputItems ?? 0);
    expect(second?.bytesReceived ?? 0).toBeLessThan(first?.bytesReceived ?? 0);
  });

  it('codex exec reads the model metadata from the gateway (no fallback-metadata warning)', {
    timeout: 90_000,
  }, async () => {
    const result = await runCodex(
      ['exec', '--skip-git-repo-check', '--sandbox', 'read-only', '[scenario:text] hello'],
      { CODEX_HOME: codexHome, CODETETHER_GATEWAY_KEY: TEST_SERVER_KEY },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('Model metadata for');
    expect(result.stderr).not.toMatch(/fallback (model )?metadata/i);
    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /codetether_server_requests_total\{method="GET",route="\/v1\/models",status="200"\} [1-9]/,
    );
  });
});
