import type { Context } from 'hono';
import { z } from 'zod';
import { toCodexModelCatalogue } from './codex-model-catalogue.js';
import type { GatewayContext } from './gateway-context.js';
import type { DescribedGatewayModel, GatewayModel } from './gateway-provider.js';
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

/**
 * The provider's models: the listed ones, or, with `includeHidden`, every model it accepts (when it can
 * tell; hidden ones come back with their `visibility`).
 */
async function readProviderModels(
  context: GatewayContext,
  includeHidden: boolean,
): Promise<readonly DescribedGatewayModel[]> {
  const { provider } = context;
  try {
    if (includeHidden && provider.readModelList !== undefined) {
      return (await provider.readModelList()).models;
    }
    return await context.provider.listModels();
  } catch (error) {
    throw mapProviderError(error, context.now());
  }
}

async function listOpenAiModels(context: GatewayContext): Promise<OpenAiModelList> {
  return toOpenAiModelList(await readProviderModels(context, false), context.startedAtSeconds);
}

/**
 * Handles `GET /v1/models`: the provider's catalogue as OpenAI's model list; with a `client_version`
 * query parameter (what the Codex CLI sends to a provider's `model_catalog_url`), as the Codex CLI's
 * catalogue (`{models:[…]}` with each model's context window, efforts, verbosity…), hidden models included.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleListModels(context: GatewayContext, c: Context): Promise<Response> {
  if (c.req.query('client_version') !== undefined) {
    return c.json(toCodexModelCatalogue(await readProviderModels(context, true)));
  }
  return c.json(await listOpenAiModels(context));
}

/**
 * Handles `GET /v1/models/:model`: one model (listed, or one the provider accepts: hidden, an alias), else
 * 404 `model_not_found`; a name that is no model name (1 kB, control characters) is a 400.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleRetrieveModel(context: GatewayContext, c: Context): Promise<Response> {
  const id = c.req.param('model') ?? '';
  const list = await listOpenAiModels(context);
  let model = list.data.find((entry) => entry.id === id);
  // A model the live list hides (or that appeared since) still answers when the provider knows it;
  // its refusal (`unsupported-model`, naming the models the plan can use; `invalid-request` for a name
  // that is no model name) is the error itself. A provider that checks nothing (an API key: it returns
  // `undefined`) vouches for no model: that id is a 404 like any other unlisted one.
  const { provider } = context;
  if (model === undefined && provider.validateModel !== undefined) {
    let described: unknown;
    try {
      described = await provider.validateModel(id);
    } catch (error) {
      throw mapProviderError(error, context.now());
    }
    if (described !== undefined) {
      model = { id, object: 'model', created: context.startedAtSeconds, owned_by: 'openai' };
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
