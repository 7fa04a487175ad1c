import { z } from 'zod';
import { sequenceNumberSchema } from './shared-schemas.js';

const textLocation = {
  sequence_number: sequenceNumberSchema,
  item_id: z.string().optional(),
  output_index: z.number().optional(),
  content_index: z.number().optional(),
};

/** `response.output_text.delta`: more answer text. */
export const outputTextDeltaEventSchema = z.looseObject({
  type: z.literal('response.output_text.delta'),
  ...textLocation,
  delta: z.string(),
});
/** `response.output_text.done`: the full text of one content part. */
export const outputTextDoneEventSchema = z.looseObject({
  type: z.literal('response.output_text.done'),
  ...textLocation,
  text: z.string(),
});
/** `response.output_text.annotation.added`: a citation or file annotation on the text. */
export const outputTextAnnotationAddedEventSchema = z.looseObject({
  type: z.literal('response.output_text.annotation.added'),
  ...textLocation,
  annotation_index: z.number().optional(),
  annotation: z.unknown(),
});
/** `response.refusal.delta`: more refusal text. */
export const refusalDeltaEventSchema = z.looseObject({
  type: z.literal('response.refusal.delta'),
  ...textLocation,
  delta: z.string(),
});
/** `response.refusal.done`: the full refusal text. */
export const refusalDoneEventSchema = z.looseObject({
  type: z.literal('response.refusal.done'),
  ...textLocation,
  refusal: z.string(),
});

/** Every text and refusal event schema. */
export const textEventSchemas = [
  outputTextDeltaEventSchema,
  outputTextDoneEventSchema,
  outputTextAnnotationAddedEventSchema,
  refusalDeltaEventSchema,
  refusalDoneEventSchema,
] as const;
