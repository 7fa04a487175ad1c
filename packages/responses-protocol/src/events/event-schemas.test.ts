import { describe, expect, expectTypeOf, it } from 'vitest';
import * as parserEntry from '../index.js';
import { createResponsesEventParser } from '../responses-event-parser.js';
import * as schemasEntry from '../schemas.js';
import {
  isKnownResponsesEventType,
  type ResponsesStreamEventOfType,
  type ResponsesStreamEventType,
  responsesStreamEventSchema,
  validateResponsesStreamEvent,
} from './stream-event.js';

const response = { id: 'resp_1', status: 'in_progress', output: [] };
const location = { sequence_number: 3, item_id: 'x_1', output_index: 0 };

/**
 * One minimal valid event per known type. Typed as a complete record, so adding a schema without
 * a sample here fails the typecheck.
 */
const samples: Record<ResponsesStreamEventType, Record<string, unknown>> = {
  'response.created': { response },
  'response.queued': { response: { ...response, status: 'queued' } },
  'response.in_progress': { response },
  'response.completed': { response: { ...response, status: 'completed' } },
  'response.done': { response: { ...response, status: 'completed' } },
  'response.failed': { response: { ...response, status: 'failed', error: { code: 'x', message: 'm' } } },
  'response.cancelled': { response: { ...response, status: 'cancelled' } },
  'response.incomplete': {
    response: { ...response, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
  },
  'response.output_item.added': { output_index: 0, item: { type: 'message', id: 'msg_1', content: [] } },
  'response.output_item.done': { output_index: 0, item: { type: 'message', id: 'msg_1', content: [] } },
  'response.content_part.added': {
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '' },
  },
  'response.content_part.done': {
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '' },
  },
  'response.output_text.delta': { ...location, content_index: 0, delta: 'a' },
  'response.output_text.done': { ...location, content_index: 0, text: 'a' },
  'response.output_text.annotation.added': { ...location, annotation_index: 0, annotation: { type: 'url' } },
  'response.refusal.delta': { ...location, delta: 'no' },
  'response.refusal.done': { ...location, refusal: 'no' },
  'response.reasoning_summary_part.added': { ...location, summary_index: 0, part: { type: 'summary_text' } },
  'response.reasoning_summary_part.done': {
    ...location,
    summary_index: 0,
    part: { type: 'summary_text', text: '' },
  },
  'response.reasoning_summary_text.delta': { ...location, summary_index: 0, delta: '' },
  'response.reasoning_summary_text.done': { ...location, summary_index: 0, text: '' },
  'response.reasoning_text.delta': { ...location, content_index: 0, delta: '' },
  'response.reasoning_text.done': { ...location, content_index: 0, text: '' },
  'response.function_call_arguments.delta': { ...location, delta: '{' },
  'response.function_call_arguments.done': { ...location, arguments: '{}' },
  'response.custom_tool_call_input.delta': { ...location, delta: 'a' },
  'response.custom_tool_call_input.done': { ...location, input: 'a' },
  'response.web_search_call.in_progress': location,
  'response.web_search_call.searching': location,
  'response.web_search_call.completed': location,
  'response.file_search_call.in_progress': location,
  'response.file_search_call.searching': location,
  'response.file_search_call.completed': location,
  'response.code_interpreter_call.in_progress': location,
  'response.code_interpreter_call.interpreting': location,
  'response.code_interpreter_call.completed': location,
  'response.code_interpreter_call_code.delta': { ...location, delta: 'print(1)' },
  'response.code_interpreter_call_code.done': { ...location, code: 'print(1)' },
  'response.image_generation_call.in_progress': location,
  'response.image_generation_call.generating': location,
  'response.image_generation_call.partial_image': {
    ...location,
    partial_image_index: 0,
    partial_image_b64: 'AA==',
  },
  'response.image_generation_call.completed': location,
  'response.mcp_call.in_progress': location,
  'response.mcp_call.completed': location,
  'response.mcp_call.failed': location,
  'response.mcp_call_arguments.delta': { ...location, delta: '{' },
  'response.mcp_call_arguments.done': { ...location, arguments: '{}' },
  'response.mcp_list_tools.in_progress': location,
  'response.mcp_list_tools.completed': location,
  'response.mcp_list_tools.failed': location,
  keepalive: {},
  error: { code: 'server_error', message: 'Boom', param: null },
  'codetether.malformed_event': { code: 'malformed-json', message: 'Bad JSON.' },
};

const knownTypes = responsesStreamEventSchema.options.map((option) => option.shape.type.value);
const terminalTypes = new Set<string>([
  'response.completed',
  'response.done',
  'response.failed',
  'response.cancelled',
  'response.incomplete',
  'error',
]);

describe('the event schemas', () => {
  it('have one sample per known type, and every sample validates as that known event', () => {
    expect(Object.keys(samples).sort()).toEqual([...knownTypes].sort());
    for (const type of knownTypes) {
      const event = { type, ...samples[type] };
      const result = validateResponsesStreamEvent(event);
      expect(result.kind, `${type}: ${result.kind === 'invalid' ? result.issues : ''}`).toBe('known');
      expect(isKnownResponsesEventType(type)).toBe(true);
    }
  });

  it('reject a known type whose required field has the wrong type', () => {
    for (const [type, field] of [
      ['response.completed', 'response'],
      ['response.output_item.added', 'item'],
      ['response.refusal.delta', 'delta'],
      ['response.reasoning_text.done', 'text'],
      ['response.function_call_arguments.done', 'arguments'],
      ['response.custom_tool_call_input.done', 'input'],
      ['response.code_interpreter_call_code.delta', 'delta'],
    ] as const) {
      const result = validateResponsesStreamEvent({ type, ...samples[type], [field]: 42 });
      expect(result.kind, type).toBe('invalid');
      expect(result.kind === 'invalid' && result.issues, type).toContain(field);
    }
  });

  it('are each exported from the ./schemas entry point, and none from the parser entry point', () => {
    const schemaExports = Object.entries(schemasEntry).filter(([name]) => name.endsWith('EventSchema'));
    const exported = new Set(schemaExports.map(([, schema]) => schema));
    for (const option of responsesStreamEventSchema.options) {
      expect(exported.has(option), option.shape.type.value).toBe(true);
    }
    expect(schemasEntry.responsesStreamEventSchema).toBe(responsesStreamEventSchema);
    expect(typeof schemasEntry.validateResponsesStreamEvent).toBe('function');
    expect(Object.keys(parserEntry).filter((name) => /Schemas?$/.test(name))).toEqual([]);
    expect('validateResponsesStreamEvent' in parserEntry).toBe(false);
  });

  it('infer a precise type per event', () => {
    expectTypeOf<ResponsesStreamEventOfType<'response.output_text.delta'>['delta']>().toEqualTypeOf<string>();
    expectTypeOf<
      ResponsesStreamEventOfType<'response.custom_tool_call_input.done'>['input']
    >().toEqualTypeOf<string>();
    expectTypeOf<ResponsesStreamEventOfType<'keepalive'>['type']>().toEqualTypeOf<'keepalive'>();
  });

  it('never make the reducer fail on a non-terminal sample, whatever the order', () => {
    const parser = createResponsesEventParser();
    for (const type of knownTypes) {
      if (terminalTypes.has(type)) continue;
      const chunks = parser.feed({ type, ...samples[type] });
      expect(
        chunks.filter((chunk) => chunk.type === 'error' && chunk.code !== 'malformed-json'),
        type,
      ).toEqual([]);
    }
    expect(parser.feed({ type: 'response.completed', ...samples['response.completed'] }).at(-1)?.type).toBe(
      'done',
    );
  });
});
