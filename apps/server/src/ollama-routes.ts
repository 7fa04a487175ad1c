import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { z } from 'zod';
import { runDialectCompletion } from './dialect-completion.js';
import type { ModelMap } from './dialect-model-map.js';
import { dialectValidationError } from './dialect-validation-error.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayModel } from './gateway-provider.js';
import type { RouteRequest } from './gateway-routes.js';
import { createOllamaAnswer, NDJSON_HEADERS } from './ollama-answer.js';
import {
  ollamaChatToCompletionRequest,
  ollamaGenerateToCompletionRequest,
} from './ollama-request-conversion.js';
import {
  ollamaChatRequestSchema,
  ollamaGenerateRequestSchema,
  ollamaShowRequestSchema,
} from './ollama-request-schema.js';
import { GatewayError } from './openai-error.js';
import { readJsonBody } from './request-body.js';
import { mapProviderError } from './upstream-error-mapping.js';

/**
 * The Ollama API version `GET /api/version` reports: the Ollama release whose `/api/chat`,
 * `/api/generate`, `/api/tags` and `/api/show` shapes the gateway speaks (clients compare it).
 */
export const OLLAMA_API_VERSION = '0.12.0';

async function parseBody<Schema extends z.ZodType>(
  context: GatewayContext,
  c: Context,
  schema: Schema,
): Promise<z.infer<Schema>> {
  const parsed = schema.safeParse(await readJsonBody(c, context.maxJsonDepth));
  if (!parsed.success) throw dialectValidationError(parsed.error);
  return parsed.data;
}

/**
 * Ollama's answer to a request that only loads the model (no messages, an empty prompt): at once,
 * `done_reason: "load"` with the endpoint's empty output, one NDJSON line or (not streamed) JSON.
 */
function modelLoadedAnswer(
  context: GatewayContext,
  c: Context,
  model: string,
  stream: boolean,
  emptyOutput: { response: '' } | { message: { role: 'assistant'; content: '' } },
): Response {
  const loaded = {
    model,
    created_at: new Date(context.now()).toISOString(),
    ...emptyOutput,
    done: true,
    done_reason: 'load',
  };
  return stream ? c.body(`${JSON.stringify(loaded)}\n`, 200, NDJSON_HEADERS) : c.json(loaded);
}

function answerOptions(context: GatewayContext, startedAt: number, model: string, think: unknown) {
  return {
    model,
    includeThinking: think !== undefined && think !== false,
    now: context.now,
    elapsedNanoseconds: () => (context.monotonicNow() - startedAt) * 1e6,
  };
}

/**
 * Handles `POST /api/chat` (Ollama): NDJSON lines unless `stream` is `false`. No messages (an empty
 * or absent `messages`) answers at once with `done_reason: "load"`, as Ollama does to preload a
 * model (`ollama run` sends it): nothing goes upstream.
 *
 * @param context - shared gateway state
 * @param modelMap - requested model names to Codex models
 * @param c - the Hono context
 * @param routeRequest - when the request arrived and its route label
 */
export async function handleOllamaChat(
  context: GatewayContext,
  modelMap: ModelMap,
  c: Context,
  routeRequest: RouteRequest,
): Promise<Response> {
  const body = await parseBody(context, c, ollamaChatRequestSchema);
  if (body.messages.length === 0) {
    return modelLoadedAnswer(context, c, body.model, body.stream !== false, {
      message: { role: 'assistant', content: '' },
    });
  }
  return runDialectCompletion(context, c, routeRequest, {
    request: ollamaChatToCompletionRequest(body, modelMap),
    stream: body.stream !== false,
    answer: createOllamaAnswer({
      endpoint: 'chat',
      ...answerOptions(context, routeRequest.startedAt, body.model, body.think),
    }),
    streamHeaders: NDJSON_HEADERS,
  });
}

/**
 * Handles `POST /api/generate` (Ollama): NDJSON lines unless `stream` is `false`. An empty prompt
 * answers at once with `done_reason: "load"`, as Ollama does to preload a model.
 *
 * @param context - shared gateway state
 * @param modelMap - requested model names to Codex models
 * @param c - the Hono context
 * @param routeRequest - when the request arrived and its route label
 */
export async function handleOllamaGenerate(
  context: GatewayContext,
  modelMap: ModelMap,
  c: Context,
  routeRequest: RouteRequest,
): Promise<Response> {
  const body = await parseBody(context, c, ollamaGenerateRequestSchema);
  const stream = body.stream !== false;
  if (body.prompt === '' && (body.images ?? []).length === 0) {
    return modelLoadedAnswer(context, c, body.model, stream, { response: '' });
  }
  return runDialectCompletion(context, c, routeRequest, {
    request: ollamaGenerateToCompletionRequest(body, modelMap),
    stream,
    answer: createOllamaAnswer({
      endpoint: 'generate',
      ...answerOptions(context, routeRequest.startedAt, body.model, body.think),
    }),
    streamHeaders: NDJSON_HEADERS,
  });
}

const ollamaModelDetailsSchema = z.object({
  parent_model: z.string(),
  format: z.string(),
  family: z.string(),
  families: z.array(z.string()),
  parameter_size: z.string(),
  quantization_level: z.string(),
});

/** The zod schema of the answer to `GET /api/tags`. */
export const ollamaTagsSchema = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      model: z.string(),
      modified_at: z.string().describe("The gateway's start time (the upstream gives none)."),
      size: z.number().int().describe('Always 0: the model runs upstream.'),
      digest: z.string().describe('SHA-256 of the model name.'),
      details: ollamaModelDetailsSchema,
    }),
  ),
});

/** The zod schema of the answer to `POST /api/show`. */
export const ollamaShowSchema = z.object({
  modelfile: z.string(),
  parameters: z.string(),
  template: z.string(),
  details: ollamaModelDetailsSchema,
  model_info: z.record(z.string(), z.unknown()),
  capabilities: z.array(z.string()),
  modified_at: z.string(),
});

const DETAILS: z.infer<typeof ollamaModelDetailsSchema> = {
  parent_model: '',
  format: 'remote',
  family: 'codex',
  families: ['codex'],
  parameter_size: '',
  quantization_level: '',
};

async function listModels(context: GatewayContext): Promise<readonly GatewayModel[]> {
  try {
    return await context.provider.listModels();
  } catch (error) {
    throw mapProviderError(error, context.now());
  }
}

function modifiedAt(context: GatewayContext): string {
  return new Date(context.startedAtSeconds * 1000).toISOString();
}

/**
 * Handles `GET /api/tags`: the account's models as Ollama's local model list.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleOllamaTags(context: GatewayContext, c: Context): Promise<Response> {
  const models = (await listModels(context)).map((model) => ({
    name: model.id,
    model: model.id,
    modified_at: modifiedAt(context),
    size: 0,
    digest: createHash('sha256').update(model.id).digest('hex'),
    details: DETAILS,
  }));
  return c.json({ models } satisfies z.infer<typeof ollamaTagsSchema>);
}

/**
 * Handles `POST /api/show`: a listed model (or a model-map name or `model:effort` alias of one) with
 * its capabilities; any other name is a 404.
 *
 * @param context - shared gateway state
 * @param modelMap - requested model names to Codex models
 * @param c - the Hono context
 */
export async function handleOllamaShow(
  context: GatewayContext,
  modelMap: ModelMap,
  c: Context,
): Promise<Response> {
  const body = await parseBody(context, c, ollamaShowRequestSchema);
  const requested = body.model ?? body.name;
  if (requested === undefined) {
    throw new GatewayError(400, 'invalid_request_error', "Send the model's name as `model`.", {
      param: 'model',
      code: 'missing_required_parameter',
    });
  }
  const resolved = modelMap.resolve(requested);
  const base = resolved.replace(/:(none|minimal|low|medium|high|xhigh)$/i, '');
  const listed = (await listModels(context)).some((model) => model.id === resolved || model.id === base);
  if (!listed) {
    throw new GatewayError(404, 'not_found_error', `model '${requested}' not found. See GET /api/tags.`, {
      param: 'model',
      code: 'model_not_found',
    });
  }
  return c.json({
    modelfile: '',
    parameters: '',
    template: '',
    details: DETAILS,
    model_info: {},
    capabilities: ['completion', 'tools', 'thinking', 'vision'],
    modified_at: modifiedAt(context),
  } satisfies z.infer<typeof ollamaShowSchema>);
}
