import type { Context } from 'hono';
import { z } from 'zod';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayModel } from './gateway-provider.js';
import { GatewayError } from './openai-error.js';
import { mapProviderError } from './upstream-error-mapping.js';

/** The zod schema of one entry of `GET /v1/models`, in OpenAI's shape. */
export const openAiModelSchema = z.object({
  id: z.string().describe('Model id.'),
  object: z.literal('model'),
  created: z.number().int().describe("Epoch seconds (the gateway's start time; the upstream gives none)."),
  owned_by: z.string().describe('Always `openai`.'),
});

/** One entry of `GET /v1/models`, in OpenAI's shape. */
export type OpenAiModel = z.infer<typeof openAiModelSchema>;

/** The zod schema of the answer to `GET /v1/models`. */
export const openAiModelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(openAiModelSchema),
});

/** The answer to `GET /v1/models`. */
export type OpenAiModelList = z.infer<typeof openAiModelListSchema>;

/**
 * Builds OpenAI's model list (`{object:'list', data:[…]}`) from the provider's catalogue.
 *
 * @param models - the provider's models
 * @param created - epoch seconds to report as each model's creation time
 */
export function toOpenAiModelList(models: readonly GatewayModel[], created: number): OpenAiModelList {
  return {
    object: 'list',
    data: models.map((model) => ({ id: model.id, object: 'model', created, owned_by: 'openai' })),
  };
}

async function listOpenAiModels(context: GatewayContext): Promise<OpenAiModelList> {
  let models: readonly GatewayModel[];
  try {
    models = await context.provider.listModels();
  } catch (error) {
    throw mapProviderError(error, context.now());
  }
  return toOpenAiModelList(models, context.startedAtSeconds);
}

/**
 * Handles `GET /v1/models`: the provider's catalogue as OpenAI's model list.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleListModels(context: GatewayContext, c: Context): Promise<Response> {
  return c.json(await listOpenAiModels(context));
}

/**
 * Handles `GET /v1/models/:model`: one model, or 404 `model_not_found`.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleRetrieveModel(context: GatewayContext, c: Context): Promise<Response> {
  const id = c.req.param('model') ?? '';
  const list = await listOpenAiModels(context);
  let model = list.data.find((entry) => entry.id === id);
  // A model the live list hides (or that appeared since) still answers when the provider accepts it;
  // its refusal (`unsupported-model`, naming the models the plan can use) is the 404 itself.
  const { validateModel } = context.provider as { validateModel?: (model: string) => Promise<unknown> };
  if (model === undefined && validateModel !== undefined) {
    try {
      await validateModel.call(context.provider, id);
      model = { id, object: 'model', created: context.startedAtSeconds, owned_by: 'openai' };
    } catch (error) {
      throw mapProviderError(error, context.now());
    }
  }
  if (model === undefined) {
    throw new GatewayError(
      404,
      'invalid_request_error',
      `The model '${id}' does not exist. See GET /v1/models.`,
      {
        code: 'model_not_found',
        param: 'model',
      },
    );
  }
  return c.json(model);
}
