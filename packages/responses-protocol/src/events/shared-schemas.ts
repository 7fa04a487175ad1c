import { z } from 'zod';

/** Optional `sequence_number` carried by most stream events. */
export const sequenceNumberSchema = z.number().optional();

/** Token usage as the Responses API reports it (`input_tokens_details.cached_tokens` etc.). */
export const responsesUsageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
  input_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullish(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).nullish(),
});

/** The error object of a failed response (`response.error`). */
export const responseErrorObjectSchema = z.looseObject({
  code: z.string().nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
  param: z.string().nullish(),
});

/** A content part of a message item (`output_text`, `refusal`, …). */
export const contentPartSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  refusal: z.string().optional(),
});

/** A reasoning summary part (`summary_text`). */
export const summaryPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

/**
 * An output item (`message`, `reasoning`, `function_call`, `custom_tool_call`, hosted tool calls, …).
 * Only the fields the reducer reads are typed; everything else passes through.
 */
export const outputItemSchema = z.looseObject({
  type: z.string(),
  id: z.string().optional(),
  status: z.string().optional(),
  role: z.string().optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  input: z.string().optional(),
  content: z.array(contentPartSchema).optional(),
  summary: z.array(summaryPartSchema).optional(),
});

/** The `response` object carried by lifecycle events. */
export const responseObjectSchema = z.looseObject({
  id: z.string().optional(),
  object: z.string().optional(),
  status: z.string().optional(),
  model: z.string().optional(),
  output: z.array(outputItemSchema).optional(),
  usage: responsesUsageSchema.nullish(),
  error: responseErrorObjectSchema.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
});

/** Inferred type of {@link responseObjectSchema}. */
export type ResponseObject = z.infer<typeof responseObjectSchema>;
/** Inferred type of {@link outputItemSchema}. */
export type ResponseOutputItem = z.infer<typeof outputItemSchema>;
/** Inferred type of {@link responsesUsageSchema}. */
export type ResponsesUsage = z.infer<typeof responsesUsageSchema>;
