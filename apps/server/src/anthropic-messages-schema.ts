import { z } from 'zod';
import {
  base64DocumentDataSchema,
  base64ImageDataSchema,
  documentUrlSchema,
  IMAGE_MEDIA_TYPES,
  imageUrlSchema,
} from './dialect-image-data.js';

const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

const imageBlockSchema = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('base64'),
      media_type: z.enum(IMAGE_MEDIA_TYPES),
      data: base64ImageDataSchema,
    }),
    z.looseObject({ type: z.literal('url'), url: imageUrlSchema }),
  ]),
});

/** A document: a base64 PDF, a PDF by URL, or plain text (`title` names it). */
const documentBlockSchema = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('base64'),
      media_type: z.literal('application/pdf'),
      data: base64DocumentDataSchema,
    }),
    z.looseObject({ type: z.literal('url'), url: documentUrlSchema }),
    z.looseObject({
      type: z.literal('text'),
      media_type: z.literal('text/plain').optional(),
      data: z.string(),
    }),
  ]),
  title: z.string().nullish(),
});

const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});

const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.union([textBlockSchema, imageBlockSchema]))]).optional(),
  is_error: z.boolean().optional(),
});

// Earlier answers' reasoning, sent back by clients; the gateway keeps reasoning in its conversations.
const thinkingBlockSchema = z.looseObject({ type: z.enum(['thinking', 'redacted_thinking']) });

/** One content block of a request message. */
export const anthropicContentBlockSchema = z.discriminatedUnion('type', [
  textBlockSchema,
  imageBlockSchema,
  documentBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
  thinkingBlockSchema,
]);

/** A content block of a request message. */
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlockSchema>;

/** The zod schema of `POST /v1/messages` (Anthropic Messages API); unknown fields are accepted. */
export const anthropicMessagesRequestSchema = z.looseObject({
  model: z.string().min(1).describe('A Claude name (mapped by the model map) or a Codex model.'),
  max_tokens: z
    .number()
    .int()
    .positive()
    .describe('Accepted; sent upstream only with an OpenAI API key (the ChatGPT backend has no limit).'),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(anthropicContentBlockSchema)]),
      }),
    )
    .min(1, 'at least one message is required'),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
        type: z.literal('custom').optional(),
      }),
    )
    .optional(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.literal('auto') }),
      z.looseObject({ type: z.literal('any') }),
      z.looseObject({ type: z.literal('none') }),
      z.looseObject({ type: z.literal('tool'), name: z.string() }),
    ])
    .optional(),
  thinking: z
    .looseObject({
      type: z.string().describe('`enabled` (with `budget_tokens`), `adaptive` or `disabled`.'),
      budget_tokens: z.number().int().positive().optional(),
      display: z.string().nullable().optional(),
    })
    .optional(),
  output_config: z
    .looseObject({
      effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
      format: z
        .looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })
        .nullable()
        .optional(),
    })
    .optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).optional(),
});

/** A validated `POST /v1/messages` body. */
export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;

/** The zod schema of `POST /v1/messages/count_tokens`: the messages request without `max_tokens`. */
export const anthropicCountTokensRequestSchema = anthropicMessagesRequestSchema.omit({
  max_tokens: true,
  stream: true,
});

/** A validated `POST /v1/messages/count_tokens` body. */
export type AnthropicCountTokensRequest = z.infer<typeof anthropicCountTokensRequestSchema>;
