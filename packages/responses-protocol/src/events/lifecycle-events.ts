import { z } from 'zod';
import { responseObjectSchema, sequenceNumberSchema } from './shared-schemas.js';

function lifecycleEvent<const Type extends string>(type: Type) {
  return z.looseObject({
    type: z.literal(type),
    sequence_number: sequenceNumberSchema,
    response: responseObjectSchema,
  });
}

/** `response.created`: the response exists. */
export const responseCreatedEventSchema = lifecycleEvent('response.created');
/** `response.queued`: waiting for capacity. */
export const responseQueuedEventSchema = lifecycleEvent('response.queued');
/** `response.in_progress`: generation started. */
export const responseInProgressEventSchema = lifecycleEvent('response.in_progress');
/** `response.completed`: terminal success, carries `usage` and the full `output`. */
export const responseCompletedEventSchema = lifecycleEvent('response.completed');
/** `response.done`: terminal event accepted as an alias of `response.completed` (status tells the outcome). */
export const responseDoneEventSchema = lifecycleEvent('response.done');
/** `response.failed`: terminal failure, `response.error` says why. */
export const responseFailedEventSchema = lifecycleEvent('response.failed');
/** `response.cancelled`: terminal, the response was cancelled. */
export const responseCancelledEventSchema = lifecycleEvent('response.cancelled');
/** `response.incomplete`: terminal, `response.incomplete_details.reason` says why (e.g. `max_output_tokens`). */
export const responseIncompleteEventSchema = lifecycleEvent('response.incomplete');

/** Every lifecycle event schema. */
export const lifecycleEventSchemas = [
  responseCreatedEventSchema,
  responseQueuedEventSchema,
  responseInProgressEventSchema,
  responseCompletedEventSchema,
  responseDoneEventSchema,
  responseFailedEventSchema,
  responseCancelledEventSchema,
  responseIncompleteEventSchema,
] as const;
