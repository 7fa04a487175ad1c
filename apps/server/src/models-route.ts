import type { GatewayModel } from './gateway-provider.js';

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
