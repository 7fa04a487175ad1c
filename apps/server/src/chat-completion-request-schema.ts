import { z } from 'zod';
import { metadataSchema } from './request-metadata.js';

const textPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
const refusalPartSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const imagePartSchema = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.string().optional() }),
});

/**
 * A file part (PDFs and other documents): inline `file_data` (a `data:` URL, with its `filename`) or
 * the `file_id` of a file uploaded to OpenAI's Files API — exactly one of the two.
 */
const filePartSchema = z.looseObject({
  type: z.literal('file'),
  file: z
    .looseObject({
      file_data: z.string().min(1).optional(),
      file_id: z.string().min(1).optional(),
      filename: z.string().optional(),
    })
    .refine((file) => (file.file_data === undefined) !== (file.file_id === undefined), {
      message: "Give exactly one of 'file_data' (a data: URL) or 'file_id'.",
    }),
});
/** An audio part: valid OpenAI input, refused by `findUnsupportedChatParameter` (the models take no audio). */
const inputAudioPartSchema = z.looseObject({ type: z.literal('input_audio') });

const textContentSchema = z.union([z.string(), z.array(textPartSchema)]);

const functionToolCallSchema = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});
/** A call of a custom (freeform) tool: its `input` is plain text. */
const customToolCallSchema = z.looseObject({
  id: z.string().min(1),
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string().min(1), input: z.string() }),
});
const toolCallSchema = z.union([functionToolCallSchema, customToolCallSchema]);

const systemMessageSchema = z.looseObject({ role: z.literal('system'), content: textContentSchema });
const developerMessageSchema = z.looseObject({ role: z.literal('developer'), content: textContentSchema });
const userMessageSchema = z.looseObject({
  role: z.literal('user'),
  content: z.union([
    z.string(),
    z.array(
      z.discriminatedUnion('type', [textPartSchema, imagePartSchema, filePartSchema, inputAudioPartSchema]),
    ),
  ]),
});
const assistantMessageSchema = z.looseObject({
  role: z.literal('assistant'),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [textPartSchema, refusalPartSchema]))])
    .nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
});
const toolMessageSchema = z.looseObject({
  role: z.literal('tool'),
  tool_call_id: z.string().min(1),
  content: textContentSchema,
});

const toolNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes');

const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: toolNameSchema,
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

/**
 * A custom (freeform) tool: the model calls it with plain text, free or matching a grammar (`lark` or
 * `regex`).
 */
const customToolSchema = z.looseObject({
  type: z.literal('custom'),
  custom: z.looseObject({
    name: toolNameSchema,
    description: z.string().optional(),
    format: z
      .discriminatedUnion('type', [
        z.looseObject({ type: z.literal('text') }),
        z.looseObject({
          type: z.literal('grammar'),
          grammar: z.looseObject({ definition: z.string(), syntax: z.enum(['lark', 'regex']) }),
        }),
      ])
      .optional(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
  z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string().min(1) }) }),
]);

/** Reasoning effort values accepted in `reasoning_effort`. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

/**
 * The zod schema of a `POST /v1/chat/completions` body. Unknown fields are accepted and ignored, as
 * OpenAI-compatible servers do; parameters the upstream cannot honour (`n` other than 1 and others) are
 * refused afterwards by `findUnsupportedChatParameter`.
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.discriminatedUnion('role', [
        systemMessageSchema,
        developerMessageSchema,
        userMessageSchema,
        assistantMessageSchema,
        toolMessageSchema,
      ]),
    )
    .min(1),
  tools: z.array(z.discriminatedUnion('type', [functionToolSchema, customToolSchema])).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.enum(REASONING_EFFORTS).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  n: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  store: z
    .boolean()
    .nullish()
    .describe(
      '`true`: the completion is kept for `GET /v1/chat/completions` (and its id: retrieve, update, delete, messages).',
    ),
  metadata: metadataSchema.nullish(),
});

/** A validated `POST /v1/chat/completions` body. */
export type ChatCompletionRequestBody = z.infer<typeof chatCompletionRequestSchema>;
