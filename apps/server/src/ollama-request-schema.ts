import { z } from 'zod';
import { ollamaImageSchema } from './dialect-image-data.js';

const ollamaToolCallSchema = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    name: z.string(),
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  }),
});

const thinkSchema = z
  .union([z.boolean(), z.enum(['low', 'medium', 'high'])])
  .optional()
  .describe('Show reasoning as `thinking`; a level sets the reasoning effort too.');

const formatSchema = z
  .union([z.literal(''), z.literal('json'), z.record(z.string(), z.unknown())])
  .optional()
  .describe('`json`, or a JSON schema the answer must follow.');

const optionsSchema = z
  .looseObject({
    temperature: z.number().optional(),
    num_predict: z.number().int().optional(),
  })
  .optional()
  .describe('Only `temperature` and `num_predict` are used; the others are accepted and ignored.');

/** The fields `/api/chat` and `/api/generate` share besides the model. */
const generationSettings = {
  stream: z.boolean().optional().describe('Default true: NDJSON lines.'),
  format: formatSchema,
  options: optionsSchema,
  think: thinkSchema,
};

const imagesSchema = z
  .array(ollamaImageSchema)
  .optional()
  .describe('Base64-encoded images (or `data:image/…;base64,` URLs).');

/** The zod schema of `POST /api/chat` (Ollama); unknown fields are accepted. */
export const ollamaChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'user', 'assistant', 'tool']),
        content: z.string().default(''),
        images: imagesSchema,
        tool_calls: z.array(ollamaToolCallSchema).optional(),
        tool_name: z.string().optional(),
        tool_call_id: z.string().optional(),
      }),
    )
    .default([]),
  tools: z
    .array(
      z.looseObject({
        type: z.literal('function').default('function'),
        function: z.looseObject({
          name: z.string().min(1),
          description: z.string().optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    )
    .optional(),
  ...generationSettings,
});

/** A validated `POST /api/chat` body. */
export type OllamaChatRequest = z.infer<typeof ollamaChatRequestSchema>;

/** The zod schema of `POST /api/generate` (Ollama); unknown fields are accepted. */
export const ollamaGenerateRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.string().default(''),
  system: z.string().optional(),
  images: imagesSchema,
  suffix: z.string().optional(),
  ...generationSettings,
});

/** A validated `POST /api/generate` body. */
export type OllamaGenerateRequest = z.infer<typeof ollamaGenerateRequestSchema>;

/** The zod schema of `POST /api/show`. */
export const ollamaShowRequestSchema = z.looseObject({
  model: z.string().min(1).optional(),
  name: z.string().min(1).optional().describe('The older name of `model`.'),
});
