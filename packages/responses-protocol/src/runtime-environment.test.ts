import { describe, expect, it } from 'vitest';
import { createResponsesSseParser } from './responses-sse-parser.js';

describe('runtime environment', () => {
  it('runs the edge-runtime project in a real edge runtime global scope', (context) => {
    const edgeRuntime = (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime;
    if (context.task.file.projectName === 'edge-runtime') expect(typeof edgeRuntime).toBe('string');
    else expect(edgeRuntime).toBeUndefined();
    const parser = createResponsesSseParser();
    expect(parser.feed('data: {"type":"response.completed","response":{}}\n\n')).toEqual([
      { type: 'done', finishReason: 'stop' },
    ]);
  });
});
