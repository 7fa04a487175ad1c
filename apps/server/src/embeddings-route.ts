import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { runProviderRequest } from './forwarded-request.js';
import type { GatewayContext } from './gateway-context.js';
import { GatewayError } from './openai-error.js';
import { readJsonBody } from './request-body.js';
import { validationErrorToGatewayError } from './validation-error.js';

/** The fields of an Embeddings body the gateway checks; the body goes to the OpenAI API as it is. */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1).describe('An embedding model, e.g. `text-embedding-3-small`.'),
  input: z
    .union([z.string(), z.array(z.unknown())])
    .describe('A string, or an array of strings or token arrays.'),
  dimensions: z.int().positive().optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
});

/** The zod schema of the answer to `POST /v1/embeddings`. */
export const embeddingsAnswerSchema = z.looseObject({
  object: z.literal('list'),
  data: z.array(
    z.looseObject({
      object: z.literal('embedding'),
      index: z.int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.looseObject({ prompt_tokens: z.int(), total_tokens: z.int() }),
});

/** The 404 of a ChatGPT login: its backend has no embeddings, and the gateway makes up none. */
function embeddingsUnavailable(): GatewayError {
  return new GatewayError(
    404,
    'invalid_request_error',
    'Embeddings are not available over a ChatGPT login: the Codex backend serves chat and responses only. Start the gateway with an OpenAI API key (OPENAI_API_KEY) to forward embeddings to the OpenAI API, or use an embedding model elsewhere.',
    { code: 'embeddings_unavailable' },
  );
}

/**
 * Handles `POST /v1/embeddings`: with an API key, the body goes to the OpenAI API as it is and its answer
 * (or refusal, with its status, `param` and `code`) comes back; over a ChatGPT login, whose backend has no
 * embeddings, a 404 saying so. In flight for a graceful shutdown like a forwarded stored-response request.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleEmbeddings(context: GatewayContext, c: Context): Promise<Response> {
  const raw = await readJsonBody(c, context.maxJsonDepth);
  const parsed = embeddingsRequestSchema.safeParse(raw);
  if (!parsed.success) throw validationErrorToGatewayError(parsed.error);
  const create = context.provider.createEmbeddings?.bind(context.provider);
  if (create === undefined) throw embeddingsUnavailable();
  const answer = await runProviderRequest(context, c.req.raw, (signal) => create(parsed.data, { signal }));
  if (answer === undefined) throw embeddingsUnavailable();
  return c.json(answer.body as object, answer.status as ContentfulStatusCode);
}
