import { z } from 'zod';
import { sequenceNumberSchema, summaryPartSchema } from './shared-schemas.js';

const summaryLocation = {
  sequence_number: sequenceNumberSchema,
  item_id: z.string().optional(),
  output_index: z.number().optional(),
  summary_index: z.number().optional(),
};
const reasoningLocation = {
  sequence_number: sequenceNumberSchema,
  item_id: z.string().optional(),
  output_index: z.number().optional(),
  content_index: z.number().optional(),
};

/** `response.reasoning_summary_part.added`: a reasoning summary paragraph begins. */
export const reasoningSummaryPartAddedEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_part.added'),
  ...summaryLocation,
  part: summaryPartSchema.optional(),
});
/** `response.reasoning_summary_part.done`: a reasoning summary paragraph is complete. */
export const reasoningSummaryPartDoneEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_part.done'),
  ...summaryLocation,
  part: summaryPartSchema.optional(),
});
/** `response.reasoning_summary_text.delta`: more reasoning summary text. */
export const reasoningSummaryTextDeltaEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_text.delta'),
  ...summaryLocation,
  delta: z.string(),
});
/** `response.reasoning_summary_text.done`: the full text of one summary paragraph. */
export const reasoningSummaryTextDoneEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_text.done'),
  ...summaryLocation,
  text: z.string(),
});
/** `response.reasoning_text.delta`: more raw reasoning text. */
export const reasoningTextDeltaEventSchema = z.looseObject({
  type: z.literal('response.reasoning_text.delta'),
  ...reasoningLocation,
  delta: z.string(),
});
/** `response.reasoning_text.done`: the full raw reasoning text of one part. */
export const reasoningTextDoneEventSchema = z.looseObject({
  type: z.literal('response.reasoning_text.done'),
  ...reasoningLocation,
  text: z.string(),
});

/** Every reasoning event schema. */
export const reasoningEventSchemas = [
  reasoningSummaryPartAddedEventSchema,
  reasoningSummaryPartDoneEventSchema,
  reasoningSummaryTextDeltaEventSchema,
  reasoningSummaryTextDoneEventSchema,
  reasoningTextDeltaEventSchema,
  reasoningTextDoneEventSchema,
] as const;
