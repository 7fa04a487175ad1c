import { z } from 'zod';
import { toAnthropicErrorBody } from './anthropic-error.js';
import {
  anthropicTokenCountSchema,
  handleAnthropicCountTokens,
  handleAnthropicMessages,
} from './anthropic-messages-route.js';
import {
  anthropicCountTokensRequestSchema,
  anthropicMessagesRequestSchema,
} from './anthropic-messages-schema.js';
import { chatCompletionRequestSchema } from './chat-completion-request-schema.js';
import { handleChatCompletions } from './chat-completions-route.js';
import {
  conversationIncludeQuerySchema,
  conversationItemListSchema,
  conversationItemsQuerySchema,
  conversationSchema,
  createConversationItemsRequestSchema,
  createConversationRequestSchema,
  deletedConversationSchema,
  handleCreateConversation,
  handleCreateConversationItems,
  handleDeleteConversation,
  handleDeleteConversationItem,
  handleListConversationItems,
  handleRetrieveConversation,
  handleRetrieveConversationItem,
  handleUpdateConversation,
  updateConversationRequestSchema,
} from './conversations-routes.js';
import { createModelMap, type ModelMap } from './dialect-model-map.js';
import { embeddingsAnswerSchema, embeddingsRequestSchema, handleEmbeddings } from './embeddings-route.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayRoute } from './gateway-routes.js';
import {
  handleListModels,
  handleRetrieveModel,
  openAiModelListSchema,
  openAiModelSchema,
} from './models-route.js';
import { toOllamaErrorBody } from './ollama-error.js';
import {
  ollamaChatRequestSchema,
  ollamaGenerateRequestSchema,
  ollamaShowRequestSchema,
} from './ollama-request-schema.js';
import {
  handleOllamaChat,
  handleOllamaGenerate,
  handleOllamaShow,
  handleOllamaTags,
  OLLAMA_API_VERSION,
  ollamaShowSchema,
  ollamaTagsSchema,
} from './ollama-routes.js';
import { createOpenApiDocument } from './openapi-document.js';
import type { ProfileState } from './profile-failover.js';
import {
  compactedResponseSchema,
  handleResponseCompaction,
  responseCompactionRequestSchema,
} from './response-compaction-route.js';
import {
  handleResponsesInputTokens,
  responsesInputTokensRequestSchema,
  responsesInputTokensSchema,
} from './responses-input-tokens-route.js';
import { handleResponses, responsesRequestSchema } from './responses-route.js';
import { SERVER_VERSION } from './server-version.js';
import {
  deletedChatCompletionSchema,
  handleDeleteStoredChatCompletion,
  handleListStoredChatCompletions,
  handleListStoredChatMessages,
  handleRetrieveStoredChatCompletion,
  handleUpdateStoredChatCompletion,
  storedChatCompletionListSchema,
  storedChatCompletionsQuerySchema,
  storedChatCompletionUpdateSchema,
  storedChatMessagesQuerySchema,
} from './stored-chat-completions-routes.js';
import {
  deletedResponseSchema,
  handleCancelResponse,
  handleDeleteResponse,
  handleListInputItems,
  handleRetrieveResponse,
  inputItemsQuerySchema,
  responseItemListSchema,
  retrieveResponseQuerySchema,
} from './stored-responses-routes.js';

/** The zod schema of the answer to `GET /healthz`. */
export const gatewayHealthSchema = z.object({
  status: z.enum(['ok', 'draining']).describe('`draining` while the gateway shuts down.'),
  activeStreams: z.number().int().describe('Streaming responses open right now.'),
  profiles: z
    .array(
      z.object({
        profile: z.string(),
        state: z
          .enum(['available', 'usage-limit', 'login'])
          .describe(
            '`usage-limit`: at its usage limit; `login`: its login failed; both skipped until `until`.',
          ),
        until: z.string().optional().describe('ISO 8601 time until which the profile is skipped.'),
      }),
    )
    .optional()
    .describe('With `--failover`: each profile of the list, in order.'),
});

/** What the route table reads from the running gateway besides the shared context. */
export interface GatewayRouteTableState {
  /** Whether the gateway is shutting down. */
  isDraining(): boolean;
  /** The failover profiles' states (`--failover`), for `GET /healthz`. */
  profileStates?: (() => ProfileState[]) | undefined;
  /** Model names of the Anthropic and Ollama dialects to Codex models (default: {@link createModelMap}()). */
  modelMap?: ModelMap;
}

const STREAM_OR_JSON = 'A JSON object, or with `stream: true` server-sent events (`text/event-stream`).';
const STORED_CHAT_COMPLETIONS =
  "Kept in the gateway's memory per key (1000 completions, 64 MiB, 24 hours by default); another key's, an unknown or a deleted id is a 404.";
const KEPT_RESPONSES =
  "Kept: every response the gateway answered (each turn's, incomplete and failed ones) until evicted by the continuation index's limits; with an API key upstream, an id it does not hold is asked of the OpenAI API (`store: true` responses).";
const KEPT_CONVERSATIONS =
  "Kept in this gateway's memory for the key that created it (lost on restart, not shared by replicas) until deleted, evicted by the limits or unused for --stored-conversation-max-age-ms.";
const NDJSON_OR_JSON = 'NDJSON lines (`application/x-ndjson`), or with `stream: false` one JSON object.';

/**
 * The gateway's one list of routes: it registers the handlers, labels metrics, answers 405s and is
 * what `GET /openapi.json` describes. A new endpoint is one row here.
 *
 * @param context - shared gateway state the handlers use
 * @param state - the gateway's draining flag
 */
// Longer than 150 lines because it is a table: one short row per route (path, methods, handler,
// metrics label, OpenAPI description); the handlers themselves live in their `*-route.ts` files.
export function createGatewayRouteTable(
  context: GatewayContext,
  state: GatewayRouteTableState,
): GatewayRoute[] {
  let openApiDocument: string | undefined;
  const modelMap = state.modelMap ?? createModelMap();
  const routes: GatewayRoute[] = [
    {
      path: '/v1/chat/completions',
      methods: ['POST'],
      handler: (c, request) => handleChatCompletions(context, c, request),
      documentation: {
        operationId: 'createChatCompletion',
        summary: "OpenAI chat completions over the account's Codex models.",
        requestBody: chatCompletionRequestSchema,
        responseDescription: `A \`chat.completion\` object, or \`chat.completion.chunk\` events then \`data: [DONE]\`. ${STREAM_OR_JSON}`,
        responseContent: { 'application/json': undefined, 'text/event-stream': undefined },
      },
    },
    {
      path: '/v1/chat/completions',
      methods: ['GET'],
      handler: (c) => handleListStoredChatCompletions(context, c),
      documentation: {
        operationId: 'listChatCompletions',
        summary: `The chat completions this key stored (\`store: true\`), oldest first. ${STORED_CHAT_COMPLETIONS}`,
        query: storedChatCompletionsQuerySchema,
        responseDescription: 'A page of `chat.completion` objects, each with its `metadata`.',
        responseContent: { 'application/json': storedChatCompletionListSchema },
      },
    },
    {
      path: '/v1/chat/completions/:completionId',
      methods: ['GET'],
      handler: (c) => handleRetrieveStoredChatCompletion(context, c),
      documentation: {
        operationId: 'getChatCompletion',
        summary: `A stored chat completion. ${STORED_CHAT_COMPLETIONS}`,
        responseDescription: 'The `chat.completion` object with its `metadata`.',
        responseContent: { 'application/json': undefined },
      },
    },
    {
      path: '/v1/chat/completions/:completionId',
      methods: ['POST'],
      handler: (c) => handleUpdateStoredChatCompletion(context, c),
      documentation: {
        operationId: 'updateChatCompletion',
        summary: "Replaces a stored chat completion's `metadata` (the only change OpenAI allows).",
        requestBody: storedChatCompletionUpdateSchema,
        responseDescription: 'The `chat.completion` object with its new `metadata`.',
        responseContent: { 'application/json': undefined },
      },
    },
    {
      path: '/v1/chat/completions/:completionId',
      methods: ['DELETE'],
      handler: (c) => handleDeleteStoredChatCompletion(context, c),
      documentation: {
        operationId: 'deleteChatCompletion',
        summary: 'Forgets a stored chat completion.',
        responseDescription: 'The deleted completion id.',
        responseContent: { 'application/json': deletedChatCompletionSchema },
      },
    },
    {
      path: '/v1/chat/completions/:completionId/messages',
      methods: ['GET'],
      handler: (c) => handleListStoredChatMessages(context, c),
      documentation: {
        operationId: 'getChatCompletionMessages',
        summary: `The messages a stored chat completion answered, in the order they were sent. ${STORED_CHAT_COMPLETIONS}`,
        query: storedChatMessagesQuerySchema,
        responseDescription: 'A page of messages, each with an `id`, `content` and `content_parts`.',
        responseContent: { 'application/json': storedChatCompletionListSchema },
      },
    },
    {
      path: '/v1/embeddings',
      methods: ['POST'],
      handler: (c) => handleEmbeddings(context, c),
      documentation: {
        operationId: 'createEmbedding',
        summary:
          'Embeddings, with an OpenAI API key: the body goes to the OpenAI API as it is. A ChatGPT login has none (404 `embeddings_unavailable`).',
        requestBody: embeddingsRequestSchema,
        responseDescription: "The OpenAI API's answer: a list of embeddings, with usage.",
        responseContent: { 'application/json': embeddingsAnswerSchema },
      },
    },
    {
      path: '/v1/responses',
      methods: ['POST'],
      handler: (c, request) => handleResponses(context, c, request),
      documentation: {
        operationId: 'createResponse',
        summary: "The OpenAI Responses API, forwarded with the account's credentials.",
        requestBody: responsesRequestSchema,
        responseDescription: `The final response object, or every Responses event. ${STREAM_OR_JSON}`,
        responseContent: { 'application/json': undefined, 'text/event-stream': undefined },
      },
    },
    {
      path: '/v1/responses/input_tokens',
      methods: ['POST'],
      handler: (c) => handleResponsesInputTokens(context, c),
      documentation: {
        operationId: 'countResponseInputTokens',
        summary:
          "The input tokens `POST /v1/responses` would send with this body (a named response's or conversation's history included), estimated at about four characters a token: the `x-codetether-token-count: estimate` header says so.",
        requestBody: responsesInputTokensRequestSchema,
        responseDescription: '`{object: "response.input_tokens", input_tokens}`.',
        responseContent: { 'application/json': responsesInputTokensSchema },
      },
    },
    {
      path: '/v1/responses/compact',
      methods: ['POST'],
      handler: (c) => handleResponseCompaction(context, c),
      documentation: {
        operationId: 'compactResponse',
        summary:
          "Compacts a history (`input`, after a named response's) with the backend's compaction endpoint: the OpenAI SDKs' `responses.compact`, the Codex CLI's remote compaction.",
        requestBody: responseCompactionRequestSchema,
        responseDescription:
          'A `response.compaction` object whose `output` (the latest user messages, then one encrypted `compaction` item) is the next input.',
        responseContent: { 'application/json': compactedResponseSchema },
      },
    },
    {
      path: '/v1/responses/:responseId',
      methods: ['GET'],
      handler: (c) => handleRetrieveResponse(context, c),
      documentation: {
        operationId: 'getResponse',
        summary: `A response this gateway answered to the same key, while it keeps it. ${KEPT_RESPONSES}`,
        query: retrieveResponseQuerySchema,
        responseDescription:
          'The response object; for a background response, with `stream=true`, its events after `starting_after` then the rest as they come (refused for any other response).',
        responseContent: { 'application/json': undefined, 'text/event-stream': undefined },
      },
    },
    {
      path: '/v1/responses/:responseId',
      methods: ['DELETE'],
      handler: (c) => handleDeleteResponse(context, c),
      documentation: {
        operationId: 'deleteResponse',
        summary:
          "Forgets a response (it can no longer be retrieved or continued); a conversation's last response closes its upstream conversation. With an API key upstream, a `store: true` response is deleted from the OpenAI API too.",
        responseDescription: 'The deleted response id.',
        responseContent: { 'application/json': deletedResponseSchema },
      },
    },
    {
      path: '/v1/responses/:responseId/input_items',
      methods: ['GET'],
      handler: (c) => handleListInputItems(context, c),
      documentation: {
        operationId: 'listInputItems',
        summary: `The input items of a response, paginated. ${KEPT_RESPONSES}`,
        query: inputItemsQuerySchema,
        responseDescription: 'A page of input items, newest first unless `order=asc`.',
        responseContent: { 'application/json': responseItemListSchema },
      },
    },
    {
      path: '/v1/responses/:responseId/cancel',
      methods: ['POST'],
      handler: (c) => handleCancelResponse(context, c),
      documentation: {
        operationId: 'cancelResponse',
        summary:
          'Stops a background response (`background: true`), keeping what it produced so far; cancelling one that ended changes nothing. Any other response gets 400, an unknown one 404.',
        responseDescription: 'The response object, `cancelled` (or as it ended).',
        responseContent: { 'application/json': undefined },
      },
    },
    {
      path: '/v1/conversations',
      methods: ['POST'],
      handler: (c) => handleCreateConversation(context, c),
      documentation: {
        operationId: 'createConversation',
        summary: `A new conversation (the OpenAI Conversations API), with up to 20 first items. ${KEPT_CONVERSATIONS}`,
        requestBody: createConversationRequestSchema,
        responseDescription: 'The conversation.',
        responseContent: { 'application/json': conversationSchema },
      },
    },
    {
      path: '/v1/conversations/:conversationId',
      methods: ['GET'],
      handler: (c) => handleRetrieveConversation(context, c),
      documentation: {
        operationId: 'getConversation',
        summary: `A conversation of the same key. ${KEPT_CONVERSATIONS}`,
        responseDescription: 'The conversation.',
        responseContent: { 'application/json': conversationSchema },
      },
    },
    {
      path: '/v1/conversations/:conversationId',
      methods: ['POST'],
      handler: (c) => handleUpdateConversation(context, c),
      documentation: {
        operationId: 'updateConversation',
        summary: "Replaces a conversation's metadata.",
        requestBody: updateConversationRequestSchema,
        responseDescription: 'The conversation.',
        responseContent: { 'application/json': conversationSchema },
      },
    },
    {
      path: '/v1/conversations/:conversationId',
      methods: ['DELETE'],
      handler: (c) => handleDeleteConversation(context, c),
      documentation: {
        operationId: 'deleteConversation',
        summary: 'Forgets a conversation and its items.',
        responseDescription: 'The deleted conversation id.',
        responseContent: { 'application/json': deletedConversationSchema },
      },
    },
    {
      path: '/v1/conversations/:conversationId/items',
      methods: ['GET'],
      handler: (c) => handleListConversationItems(context, c),
      documentation: {
        operationId: 'listConversationItems',
        summary: "A page of a conversation's items: what was added and each response's input and output.",
        query: conversationItemsQuerySchema,
        responseDescription: 'A page of items, newest first unless `order=asc`.',
        responseContent: { 'application/json': conversationItemListSchema },
      },
    },
    {
      path: '/v1/conversations/:conversationId/items',
      methods: ['POST'],
      handler: (c) => handleCreateConversationItems(context, c),
      documentation: {
        operationId: 'createConversationItems',
        summary: 'Appends up to 20 items to a conversation (items without an `id` get one).',
        requestBody: createConversationItemsRequestSchema,
        query: conversationIncludeQuerySchema,
        responseDescription: 'The items added.',
        responseContent: { 'application/json': conversationItemListSchema },
      },
    },
    {
      path: '/v1/conversations/:conversationId/items/:itemId',
      methods: ['GET'],
      handler: (c) => handleRetrieveConversationItem(context, c),
      documentation: {
        operationId: 'getConversationItem',
        summary: 'One item of a conversation.',
        query: conversationIncludeQuerySchema,
        responseDescription: 'The item.',
        responseContent: { 'application/json': undefined },
      },
    },
    {
      path: '/v1/conversations/:conversationId/items/:itemId',
      methods: ['DELETE'],
      handler: (c) => handleDeleteConversationItem(context, c),
      documentation: {
        operationId: 'deleteConversationItem',
        summary: 'Deletes one item of a conversation.',
        responseDescription: 'The conversation.',
        responseContent: { 'application/json': conversationSchema },
      },
    },
    {
      path: '/v1/messages',
      methods: ['POST'],
      handler: (c, request) => handleAnthropicMessages(context, modelMap, c, request),
      errorBody: toAnthropicErrorBody,
      documentation: {
        operationId: 'createMessage',
        summary:
          'The Anthropic Messages API (key as `x-api-key` or bearer); Claude names go through the model map.',
        requestBody: anthropicMessagesRequestSchema,
        responseDescription: `A \`message\` object, or Anthropic's stream events. ${STREAM_OR_JSON}`,
        responseContent: { 'application/json': undefined, 'text/event-stream': undefined },
      },
    },
    {
      path: '/v1/messages/count_tokens',
      methods: ['POST'],
      handler: (c) => handleAnthropicCountTokens(context, modelMap, c),
      errorBody: toAnthropicErrorBody,
      documentation: {
        operationId: 'countMessageTokens',
        summary: 'An estimate of the input tokens of a Messages request (marked `estimated: true`).',
        requestBody: anthropicCountTokensRequestSchema,
        responseDescription: 'The estimated input tokens.',
        responseContent: { 'application/json': anthropicTokenCountSchema },
      },
    },
    {
      path: '/api/chat',
      methods: ['POST'],
      handler: (c, request) => handleOllamaChat(context, modelMap, c, request),
      errorBody: toOllamaErrorBody,
      documentation: {
        operationId: 'ollamaChat',
        summary: "Ollama's chat API; model names go through the model map.",
        requestBody: ollamaChatRequestSchema,
        responseDescription: NDJSON_OR_JSON,
        responseContent: { 'application/x-ndjson': undefined, 'application/json': undefined },
      },
    },
    {
      path: '/api/generate',
      methods: ['POST'],
      handler: (c, request) => handleOllamaGenerate(context, modelMap, c, request),
      errorBody: toOllamaErrorBody,
      documentation: {
        operationId: 'ollamaGenerate',
        summary: "Ollama's generate API (one prompt); model names go through the model map.",
        requestBody: ollamaGenerateRequestSchema,
        responseDescription: NDJSON_OR_JSON,
        responseContent: { 'application/x-ndjson': undefined, 'application/json': undefined },
      },
    },
    {
      path: '/api/tags',
      methods: ['GET'],
      handler: (c) => handleOllamaTags(context, c),
      errorBody: toOllamaErrorBody,
      documentation: {
        operationId: 'ollamaListModels',
        summary: 'The models the account can use, as Ollama lists local models.',
        responseDescription: "Ollama's model list.",
        responseContent: { 'application/json': ollamaTagsSchema },
      },
    },
    {
      path: '/api/show',
      methods: ['POST'],
      handler: (c) => handleOllamaShow(context, modelMap, c),
      errorBody: toOllamaErrorBody,
      documentation: {
        operationId: 'ollamaShowModel',
        summary: 'One model of the list and its capabilities.',
        requestBody: ollamaShowRequestSchema,
        responseDescription: "Ollama's model information.",
        responseContent: { 'application/json': ollamaShowSchema },
      },
    },
    {
      path: '/api/version',
      methods: ['GET'],
      handler: (c) => c.json({ version: OLLAMA_API_VERSION }),
      errorBody: toOllamaErrorBody,
      documentation: {
        operationId: 'ollamaVersion',
        summary: 'The Ollama API version the gateway speaks.',
        responseDescription: 'The version.',
        responseContent: { 'application/json': z.object({ version: z.string() }) },
      },
    },
    {
      path: '/v1/models',
      methods: ['GET'],
      handler: (c) => handleListModels(context, c),
      documentation: {
        operationId: 'listModels',
        summary: 'The models the account can use.',
        responseDescription:
          "OpenAI's model list; with `client_version` (the Codex CLI's `model_catalog_url`), the Codex catalogue `{models:[…]}`.",
        responseContent: { 'application/json': openAiModelListSchema },
      },
    },
    {
      path: '/v1/models/:model',
      methods: ['GET'],
      handler: (c) => handleRetrieveModel(context, c),
      documentation: {
        operationId: 'retrieveModel',
        summary: 'One model of the list.',
        responseDescription: 'The model.',
        responseContent: { 'application/json': openAiModelSchema },
      },
    },
    {
      path: '/healthz',
      methods: ['GET'],
      handler: (c) =>
        c.json({
          status: state.isDraining() ? 'draining' : 'ok',
          activeStreams: context.metrics.activeStreams,
          ...(state.profileStates === undefined
            ? {}
            : {
                profiles: state.profileStates().map(({ profile, state: profileState, until }) => ({
                  profile,
                  state: profileState,
                  ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
                })),
              }),
        } satisfies z.infer<typeof gatewayHealthSchema>),
      documentation: {
        operationId: 'getHealth',
        summary: 'Liveness: answers while the gateway runs (no key needed).',
        responseDescription: "The gateway's state.",
        responseContent: { 'application/json': gatewayHealthSchema },
      },
    },
    {
      path: '/metrics',
      methods: ['GET'],
      handler: async (c) =>
        c.text(await context.metrics.render(), 200, { 'content-type': context.metrics.contentType }),
      documentation: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (no key needed).',
        responseDescription: 'The Prometheus text exposition format 0.0.4.',
        responseContent: { 'text/plain': undefined },
      },
    },
    {
      path: '/openapi.json',
      methods: ['GET'],
      handler: (c) => {
        openApiDocument ??= JSON.stringify(createOpenApiDocument(routes, { version: SERVER_VERSION }));
        return c.body(openApiDocument, 200, { 'content-type': 'application/json; charset=utf-8' });
      },
      documentation: {
        operationId: 'getOpenApiDocument',
        summary:
          'This OpenAPI 3.1 document, generated from the route table and its zod schemas (no key needed).',
        responseDescription: 'The OpenAPI document.',
        responseContent: { 'application/json': undefined },
      },
    },
  ];
  return routes;
}
