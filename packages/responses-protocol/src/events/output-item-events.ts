import { z } from 'zod';
import { contentPartSchema, outputItemSchema, sequenceNumberSchema } from './shared-schemas.js';

function outputItemEvent<const Type extends string>(type: Type) {
  return z.looseObject({
    type: z.literal(type),
    sequence_number: sequenceNumberSchema,
    output_index: z.number(),
    item: outputItemSchema,
  });
}

function contentPartEvent<const Type extends string>(type: Type) {
  return z.looseObject({
    type: z.literal(type),
    sequence_number: sequenceNumberSchema,
    item_id: z.string().optional(),
    output_index: z.number(),
    content_index: z.number(),
    part: contentPartSchema,
  });
}

/** `response.output_item.added`: a new output item (message, reasoning, function call, …) begins. */
export const outputItemAddedEventSchema = outputItemEvent('response.output_item.added');
/** `response.output_item.done`: an output item is complete (carries its final content/arguments). */
export const outputItemDoneEventSchema = outputItemEvent('response.output_item.done');
/** `response.content_part.added`: a content part of a message begins. */
export const contentPartAddedEventSchema = contentPartEvent('response.content_part.added');
/** `response.content_part.done`: a content part of a message is complete. */
export const contentPartDoneEventSchema = contentPartEvent('response.content_part.done');

/** Every output item and content part event schema. */
export const outputItemEventSchemas = [
  outputItemAddedEventSchema,
  outputItemDoneEventSchema,
  contentPartAddedEventSchema,
  contentPartDoneEventSchema,
] as const;
