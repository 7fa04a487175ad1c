import { z } from 'zod';
import { sequenceNumberSchema } from './shared-schemas.js';

function statusEvent<const Type extends string>(type: Type) {
  return z.looseObject({
    type: z.literal(type),
    sequence_number: sequenceNumberSchema,
    item_id: z.string().optional(),
    output_index: z.number().optional(),
  });
}

function textDeltaEvent<const Type extends string>(type: Type) {
  return z.looseObject({
    type: z.literal(type),
    sequence_number: sequenceNumberSchema,
    item_id: z.string().optional(),
    output_index: z.number().optional(),
    delta: z.string(),
  });
}

/** `response.web_search_call.in_progress`. */
export const webSearchCallInProgressEventSchema = statusEvent('response.web_search_call.in_progress');
/** `response.web_search_call.searching`. */
export const webSearchCallSearchingEventSchema = statusEvent('response.web_search_call.searching');
/** `response.web_search_call.completed`. */
export const webSearchCallCompletedEventSchema = statusEvent('response.web_search_call.completed');
/** `response.file_search_call.in_progress`. */
export const fileSearchCallInProgressEventSchema = statusEvent('response.file_search_call.in_progress');
/** `response.file_search_call.searching`. */
export const fileSearchCallSearchingEventSchema = statusEvent('response.file_search_call.searching');
/** `response.file_search_call.completed`. */
export const fileSearchCallCompletedEventSchema = statusEvent('response.file_search_call.completed');
/** `response.code_interpreter_call.in_progress`. */
export const codeInterpreterCallInProgressEventSchema = statusEvent(
  'response.code_interpreter_call.in_progress',
);
/** `response.code_interpreter_call.interpreting`. */
export const codeInterpreterCallInterpretingEventSchema = statusEvent(
  'response.code_interpreter_call.interpreting',
);
/** `response.code_interpreter_call.completed`. */
export const codeInterpreterCallCompletedEventSchema = statusEvent(
  'response.code_interpreter_call.completed',
);
/** `response.code_interpreter_call_code.delta`: more code the interpreter will run. */
export const codeInterpreterCallCodeDeltaEventSchema = textDeltaEvent(
  'response.code_interpreter_call_code.delta',
);
/** `response.code_interpreter_call_code.done`: the full code. */
export const codeInterpreterCallCodeDoneEventSchema = z.looseObject({
  type: z.literal('response.code_interpreter_call_code.done'),
  sequence_number: sequenceNumberSchema,
  item_id: z.string().optional(),
  output_index: z.number().optional(),
  code: z.string().optional(),
});
/** `response.image_generation_call.in_progress`. */
export const imageGenerationCallInProgressEventSchema = statusEvent(
  'response.image_generation_call.in_progress',
);
/** `response.image_generation_call.generating`. */
export const imageGenerationCallGeneratingEventSchema = statusEvent(
  'response.image_generation_call.generating',
);
/** `response.image_generation_call.partial_image`: a preview image (base64). */
export const imageGenerationCallPartialImageEventSchema = z.looseObject({
  type: z.literal('response.image_generation_call.partial_image'),
  sequence_number: sequenceNumberSchema,
  item_id: z.string().optional(),
  output_index: z.number().optional(),
  partial_image_index: z.number().optional(),
  partial_image_b64: z.string().optional(),
});
/** `response.image_generation_call.completed`. */
export const imageGenerationCallCompletedEventSchema = statusEvent(
  'response.image_generation_call.completed',
);
/** `response.mcp_call.in_progress`. */
export const mcpCallInProgressEventSchema = statusEvent('response.mcp_call.in_progress');
/** `response.mcp_call.completed`. */
export const mcpCallCompletedEventSchema = statusEvent('response.mcp_call.completed');
/** `response.mcp_call.failed`. */
export const mcpCallFailedEventSchema = statusEvent('response.mcp_call.failed');
/** `response.mcp_call_arguments.delta`: more arguments of a hosted MCP call. */
export const mcpCallArgumentsDeltaEventSchema = textDeltaEvent('response.mcp_call_arguments.delta');
/** `response.mcp_call_arguments.done`: the full arguments of a hosted MCP call. */
export const mcpCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.mcp_call_arguments.done'),
  sequence_number: sequenceNumberSchema,
  item_id: z.string().optional(),
  output_index: z.number().optional(),
  arguments: z.string().optional(),
});
/** `response.mcp_list_tools.in_progress`. */
export const mcpListToolsInProgressEventSchema = statusEvent('response.mcp_list_tools.in_progress');
/** `response.mcp_list_tools.completed`. */
export const mcpListToolsCompletedEventSchema = statusEvent('response.mcp_list_tools.completed');
/** `response.mcp_list_tools.failed`. */
export const mcpListToolsFailedEventSchema = statusEvent('response.mcp_list_tools.failed');

/**
 * Every hosted-tool status event schema. The reducer ignores these (hosted tools run on the server;
 * their results show up as text), but they are validated and typed for consumers that display them.
 */
export const hostedToolEventSchemas = [
  webSearchCallInProgressEventSchema,
  webSearchCallSearchingEventSchema,
  webSearchCallCompletedEventSchema,
  fileSearchCallInProgressEventSchema,
  fileSearchCallSearchingEventSchema,
  fileSearchCallCompletedEventSchema,
  codeInterpreterCallInProgressEventSchema,
  codeInterpreterCallInterpretingEventSchema,
  codeInterpreterCallCompletedEventSchema,
  codeInterpreterCallCodeDeltaEventSchema,
  codeInterpreterCallCodeDoneEventSchema,
  imageGenerationCallInProgressEventSchema,
  imageGenerationCallGeneratingEventSchema,
  imageGenerationCallPartialImageEventSchema,
  imageGenerationCallCompletedEventSchema,
  mcpCallInProgressEventSchema,
  mcpCallCompletedEventSchema,
  mcpCallFailedEventSchema,
  mcpCallArgumentsDeltaEventSchema,
  mcpCallArgumentsDoneEventSchema,
  mcpListToolsInProgressEventSchema,
  mcpListToolsCompletedEventSchema,
  mcpListToolsFailedEventSchema,
] as const;
