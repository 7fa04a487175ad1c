import { describe, expect, it } from 'vitest';
import { ESCAPE_CODE, runCli } from '../__fixtures__/cli-harness.js';

describe('codetether demo', () => {
  it('runs the whole stack against the in-process emulator with no account and no environment', async () => {
    const result = await runCli(['demo'], { PATH: process.env.PATH ?? '', HOME: '/nonexistent' });
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged in as user@example.com');
    expect(result.stdout).toContain('Hello from the CodeTether emulator');
    expect(result.stdout).toContain('ran get_weather locally');
    expect(result.stdout).toContain('The tool returned:');
    expect(result.stdout).toMatch(/^5-hour limit\s+█/m);
    expect(result.stdout).toMatch(/Done: 3 responses requests, 3 over the WebSocket\./);
    expect(result.stderr).toContain('get_weather({"city":');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(ESCAPE_CODE);
  });
});
