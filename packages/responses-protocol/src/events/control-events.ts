import { z } from 'zod';
import { MALFORMED_EVENT_TYPE } from '../malformed-event.js';
import { responseErrorObjectSchema, sequenceNumberSchema } from './shared-schemas.js';

/** `keepalive`: a transport keepalive; carries nothing. */
export const keepaliveEventSchema = z.looseObject({
  type: z.literal('keepalive'),
  sequence_number: sequenceNumberSchema,
});

/**
 * `error`: accepts both shapes seen on the wire, flat `{type:"error", code, message, param}` and
 * nested `{type:"error", error:{type, code, message, param}}`. Over WebSocket it may also carry
 * `status_code` and `headers` (e.g. a 429 usage-limit error).
 */
export const errorEventSchema = z.looseObject({
  type: z.literal('error'),
  sequence_number: sequenceNumberSchema,
  code: z.string().nullish(),
  message: z.string().nullish(),
  param: z.string().nullish(),
  error: responseErrorObjectSchema.nullish(),
  status_code: z.number().optional(),
  status: z.number().optional(),
  headers: z.record(z.string(), z.unknown()).optional(),
});

/**
 * `codetether.malformed_event`: not sent by any server. Transports forward a decoder error item as
 * this event; the reducer turns it into an `error` chunk (code `malformed-json` or `invalid-event`)
 * without ending the stream, except `buffer-limit-exceeded`, which ends it.
 */
export const malformedEventSchema = z.looseObject({
  type: z.literal(MALFORMED_EVENT_TYPE),
  code: z.string(),
  message: z.string(),
});

/** Every control event schema (keepalive, error, malformed-event marker). */
export const controlEventSchemas = [keepaliveEventSchema, errorEventSchema, malformedEventSchema] as const;
