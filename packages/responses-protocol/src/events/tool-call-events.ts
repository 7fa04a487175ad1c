import { z } from 'zod';
import { sequenceNumberSchema } from './shared-schemas.js';

const toolLocation = {
  sequence_number: sequenceNumberSchema,
  item_id: z.string().optional(),
  output_index: z.number().optional(),
  call_id: z.string().optional(),
};

/** `response.function_call_arguments.delta`: more argument JSON, keyed by `item_id` (not `call_id`). */
export const functionCallArgumentsDeltaEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.delta'),
  ...toolLocation,
  delta: z.string(),
});
/** `response.function_call_arguments.done`: the full arguments (sometimes the only place they appear). */
export const functionCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.done'),
  ...toolLocation,
  name: z.string().optional(),
  arguments: z.string(),
});
/** `response.custom_tool_call_input.delta`: more free-form input of a custom tool call. */
export const customToolCallInputDeltaEventSchema = z.looseObject({
  type: z.literal('response.custom_tool_call_input.delta'),
  ...toolLocation,
  delta: z.string(),
});
/** `response.custom_tool_call_input.done`: the full input of a custom tool call. */
export const customToolCallInputDoneEventSchema = z.looseObject({
  type: z.literal('response.custom_tool_call_input.done'),
  ...toolLocation,
  name: z.string().optional(),
  input: z.string(),
});

/** Every function and custom tool call event schema. */
export const toolCallEventSchemas = [
  functionCallArgumentsDeltaEventSchema,
  functionCallArgumentsDoneEventSchema,
  customToolCallInputDeltaEventSchema,
  customToolCallInputDoneEventSchema,
] as const;
