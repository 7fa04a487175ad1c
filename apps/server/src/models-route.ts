import type { Context } from 'hono';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayModel } from './gateway-provider.js';
import { GatewayError } from './openai-error.js';
import { mapProviderError } from './upstream-error-mapping.js';

/** One entry of `GET /v1/models`, in OpenAI's shape. */
export interface OpenAiModel {
  /** Model id. */
  id: string;
  /** Always `model`. */
  object: 'model';
  /** Epoch seconds (the gateway's start time; the upstream gives none). */
  created: number;
  /** Always `openai`. */
  owned_by: string;
}

/**
 * Builds OpenAI's model list (`{object:'list', data:[…]}`) from the provider's catalogue.
 *
 * @param models - the provider's models
 * @param created - epoch seconds to report as each model's creation time
 */
export function toOpenAiModelList(
  models: readonly GatewayModel[],
  created: number,
): { object: 'list'; data: OpenAiModel[] } {
  return {
    object: 'list',
    data: models.map((model) => ({ id: model.id, object: 'model', created, owned_by: 'openai' })),
  };
}

async function listOpenAiModels(context: GatewayContext): Promise<{ object: 'list'; data: OpenAiModel[] }> {
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
  const model = (await listOpenAiModels(context)).data.find((entry) => entry.id === id);
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
