import { describe, expect, it } from 'vitest';
import { streamFixtures } from '../__fixtures__/fixtures.js';
import { createSseEventDecoder } from '../sse-event-decoder.js';
import { isKnownResponsesEventType, validateResponsesStreamEvent } from './stream-event.js';

describe('Responses stream event schemas', () => {
  it('validate every event of the recorded-style fixtures as known or unknown, never invalid', () => {
    for (const fixture of streamFixtures) {
      const decoder = createSseEventDecoder();
      for (const item of [...decoder.feed(fixture.bytes), ...decoder.end()]) {
        if (item.kind !== 'event') continue;
        const result = validateResponsesStreamEvent(item.event);
        expect(result.kind, `${fixture.name}: ${item.event.type}`).not.toBe('invalid');
        expect(result.kind === 'known').toBe(isKnownResponsesEventType(item.event.type));
      }
    }
  });

  it('accept both error shapes', () => {
    expect(validateResponsesStreamEvent({ type: 'error', code: 'x', message: 'm', param: null }).kind).toBe(
      'known',
    );
    expect(
      validateResponsesStreamEvent({
        type: 'error',
        error: { type: 't', code: 'c', message: 'm', param: null },
      }).kind,
    ).toBe('known');
  });

  it('pass unknown types through and report malformed known events', () => {
    expect(validateResponsesStreamEvent({ type: 'response.future', a: 1 })).toEqual({
      kind: 'unknown',
      event: { type: 'response.future', a: 1 },
    });
    const invalid = validateResponsesStreamEvent({ type: 'response.output_text.delta', delta: 5 });
    expect(invalid.kind).toBe('invalid');
    expect(invalid.kind === 'invalid' && invalid.issues).toContain('delta');
    expect(validateResponsesStreamEvent('nope').kind).toBe('invalid');
  });

  it('know the documented event types', () => {
    for (const type of [
      'response.created',
      'response.queued',
      'response.in_progress',
      'response.completed',
      'response.failed',
      'response.incomplete',
      'response.done',
      'response.output_item.added',
      'response.content_part.done',
      'response.output_text.annotation.added',
      'response.refusal.delta',
      'response.reasoning_summary_part.added',
      'response.reasoning_text.done',
      'response.function_call_arguments.done',
      'response.custom_tool_call_input.delta',
      'response.web_search_call.searching',
      'response.file_search_call.completed',
      'response.code_interpreter_call.interpreting',
      'response.image_generation_call.partial_image',
      'response.mcp_call.in_progress',
      'keepalive',
      'error',
    ]) {
      expect(isKnownResponsesEventType(type), type).toBe(true);
    }
  });
});
