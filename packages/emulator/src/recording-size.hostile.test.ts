import { afterEach, describe, expect, it } from 'vitest';
import { apiKeyHeaders } from './__fixtures__/emulator-client.js';
import { createRequestRecorder } from './recording.js';
import { startEmulator } from './server.js';
import type { Emulator, RecordedRequest } from './types.js';

// The recorder kept the last 10 000 requests whatever their size: 10 000 bodies of up to 32 MiB each
// (320 GB) from a client posting big bodies in a loop. It now also keeps at most `maxRecordedBytes` of
// bodies and frames, dropping the oldest requests first.

let emulator: Emulator | undefined;

afterEach(async () => {
  await emulator?.close();
});

function entry(bytesReceived: number, path: string): RecordedRequest {
  return {
    method: 'POST',
    path,
    query: {},
    headers: {},
    body: undefined,
    transport: 'http',
    at: 0,
    bytesReceived,
  };
}

describe('the request recorder under big bodies in a loop', () => {
  it('drops the oldest requests once the bodies recorded pass the byte budget, keeping the newest', () => {
    const recorder = createRequestRecorder(
      () => 100,
      () => 1000,
    );
    recorder.record(entry(400, '/first'));
    recorder.record(entry(400, '/second'));
    recorder.record(entry(400, '/third'));
    expect(recorder.requests.map((request) => request.path)).toEqual(['/second', '/third']);
    // One request bigger than the budget is still kept, alone: the newest is always visible.
    recorder.record(entry(5000, '/huge'));
    expect(recorder.requests.map((request) => request.path)).toEqual(['/huge']);
    recorder.record(entry(10, '/small'));
    expect(recorder.requests.map((request) => request.path)).toEqual(['/small']);
    recorder.clear();
    recorder.record(entry(900, '/after-clear'));
    expect(recorder.requests.map((request) => request.path)).toEqual(['/after-clear']);
  });

  it('keeps at most maxRecordedBytes of request bodies in the emulator', async () => {
    emulator = await startEmulator({ scenario: 'echo', maxRecordedBytes: 1024 * 1024 });
    const text = 'x'.repeat(400 * 1024);
    for (let request = 0; request < 5; request += 1) {
      const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
        method: 'POST',
        headers: apiKeyHeaders(emulator),
        body: JSON.stringify({
          model: 'gpt-5.4',
          instructions: text,
          input: `request ${request}`,
          stream: true,
        }),
      });
      await response.text();
    }
    const bytes = emulator.requests.reduce((sum, request) => sum + (request.bytesReceived ?? 0), 0);
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(emulator.requests).toHaveLength(2);
    expect(emulator.requests.at(-1)?.inputItems).toBeDefined();
  });

  it('refuses a byte budget that is not a number', async () => {
    await expect(startEmulator({ maxRecordedBytes: Number.NaN })).rejects.toMatchObject({
      code: 'invalid-option',
    });
  });
});
