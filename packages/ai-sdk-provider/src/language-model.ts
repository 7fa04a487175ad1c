import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import type { CodexProvider } from '@codetether/provider-codex';
import type { StreamChunk } from '@codetether/responses-protocol';
import { createCallCancellation } from './call-cancellation.js';
import { convertCallOptions, needsModelSupport } from './call-options-conversion.js';
import { conversationInputOf, conversationSettingsOf } from './conversation-request.js';
import { abortReasonOf, type ErrorContext, toSdkError } from './error-conversion.js';
import { collectContent } from './generate-collection.js';
import { readCallProviderOptions } from './provider-options.js';
import type { SessionConversations } from './session-conversations.js';
import { createStreamConverter } from './stream-conversion.js';

/** What a language model shares with its provider. */
export interface LanguageModelContext {
  /** The provider name reported to the SDK (`codetether`). */
  providerName: string;
  /** The provider-codex provider (created on first use). */
  codexProvider(): CodexProvider;
  /** The Responses endpoint of the active backend, for error reports. */
  responsesUrl(): Promise<string>;
  /** A new session id. */
  createSessionId(): string;
  /** The conversations of the sessions (continuation across the steps of a loop). */
  conversations: SessionConversations;
}

/** Image URLs the backends fetch themselves. */
const SUPPORTED_URLS: Record<string, RegExp[]> = { 'image/*': [/^https?:\/\/.+$/] };

/**
 * A Codex model as an AI SDK `LanguageModelV4` over provider-codex. Each session (default: one per
 * model instance; `providerOptions.codetether.conversationId` chooses it) is a provider-codex
 * conversation on one WebSocket: a call whose prompt continues the previous call's (the SDK's
 * multi-step loop) sends only the new items with `previous_response_id`; any other prompt is sent
 * whole, on a fresh conversation. `continuation: false`, or a call while another of the same session
 * runs, sends the whole prompt without a conversation.
 */
export class CodetetherLanguageModel implements LanguageModelV4 {
  /** The spec version this model implements. */
  readonly specificationVersion = 'v4';
  /** The model id (aliases such as `gpt-5.4:high` and `gpt-5.5-fast` are accepted). */
  readonly modelId: string;
  /** Image URLs the backends fetch themselves (others are downloaded by the SDK). */
  readonly supportedUrls = SUPPORTED_URLS;
  private readonly context: LanguageModelContext;
  private readonly defaultSessionId: string;

  /** @param modelId - the model id; @param context - what the provider shares. */
  constructor(modelId: string, context: LanguageModelContext) {
    this.modelId = modelId;
    this.context = context;
    this.defaultSessionId = context.createSessionId();
  }

  /** The provider name (`codetether`). */
  get provider(): string {
    return this.context.providerName;
  }

  /** Streams a response: text, reasoning, tool calls, usage, finish. */
  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const providerOptions = await readCallProviderOptions(options.providerOptions);
    const modelSupport = needsModelSupport(providerOptions)
      ? await this.context
          .codexProvider()
          .validateModel(this.modelId)
          .catch(() => undefined)
      : undefined;
    const { request, warnings } = convertCallOptions(this.modelId, options, providerOptions, modelSupport);
    const errorContext: ErrorContext = {
      url: '',
      requestBodyValues: request,
      abortSignal: options.abortSignal,
    };
    const sessionId = providerOptions.conversationId ?? this.defaultSessionId;
    // The upstream request is also cancelled when the SDK cancels the stream (a consumer that stops
    // reading): ending the chunk iterator alone waits for the next chunk, which a silent upstream
    // never sends, so the request would stay open.
    const cancellation = createCallCancellation(options.abortSignal);
    const { signal } = cancellation;
    const step =
      providerOptions.continuation === false
        ? undefined
        : this.context.conversations.send(
            sessionId,
            conversationSettingsOf(request),
            conversationInputOf(request, warnings),
            signal,
          );
    const chunks =
      step?.chunks ??
      this.context.codexProvider().completeStream(request, { signal, sessionId })[Symbol.asyncIterator]();
    let first: IteratorResult<StreamChunk>;
    try {
      first = await chunks.next();
    } catch (error) {
      cancellation.release();
      errorContext.url = await this.context.responsesUrl();
      throw toSdkError(error, errorContext);
    }
    errorContext.url = await this.context.responsesUrl().catch(() => '');
    const converter = createStreamConverter({
      ...errorContext,
      warnings,
      modelId: this.modelId,
      includeRawChunks: options.includeRawChunks === true,
    });
    let pending: IteratorResult<StreamChunk> | undefined = first;
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start(controller) {
        controller.enqueue({ type: 'stream-start', warnings });
      },
      async pull(controller) {
        try {
          const next = pending ?? (await chunks.next());
          pending = undefined;
          if (options.abortSignal?.aborted === true) {
            cancellation.release();
            controller.error(abortReasonOf(options.abortSignal));
            return;
          }
          if (next.done === true) {
            cancellation.release();
            for (const part of converter.end()) controller.enqueue(part);
            controller.close();
            return;
          }
          for (const part of converter.convert(next.value)) controller.enqueue(part);
        } catch (error) {
          cancellation.release();
          controller.error(toSdkError(error, errorContext));
        }
      },
      async cancel() {
        cancellation.cancel();
        await chunks.return?.();
      },
    });
    return { stream, request: { body: request } };
  }

  /** Generates a whole response (the stream, collected). */
  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { stream, request } = await this.doStream(options);
    const collected = await collectContent(stream);
    const content: LanguageModelV4Content[] = collected.content;
    return {
      content,
      finishReason: collected.finishReason,
      usage: collected.usage,
      ...(collected.providerMetadata === undefined ? {} : { providerMetadata: collected.providerMetadata }),
      ...(request === undefined ? {} : { request }),
      response: {
        ...(collected.responseId === undefined ? {} : { id: collected.responseId }),
        modelId: this.modelId,
      },
      warnings: collected.warnings,
    };
  }
}
