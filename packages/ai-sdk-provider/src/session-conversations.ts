import type { CodexProvider, Conversation, ConversationOptions } from '@codetether/provider-codex';
import type { ResponseItem, StreamChunk } from '@codetether/responses-protocol';
import { itemsAfterHistory } from './history-continuation.js';

/** The settings of a conversation: everything of its requests except the input. */
export type ConversationSettings = Omit<ConversationOptions, 'id' | 'history' | 'autoCompact'>;

/** How many sessions keep a conversation (the least recently used ones beyond it are forgotten). */
export const MAX_SESSION_CONVERSATIONS = 64;

interface SessionConversation {
  conversation: Conversation;
  /** The settings as JSON: a call with other settings starts a fresh conversation. */
  settingsKey: string;
  busy: boolean;
}

/** One step sent over a session's conversation. */
export interface ConversationStep {
  /** The step's chunks (start iterating at once: the session is busy until they end). */
  chunks: AsyncIterator<StreamChunk>;
  /** True when the step continues the conversation (only the new items go up). */
  continued: boolean;
}

/**
 * The provider-codex conversations of the sessions (one per session id), so each call of the SDK's
 * multi-step loop sends only what it adds — the tool results — with `previous_response_id`, over the
 * session's WebSocket. A call whose prompt does not continue the conversation's history (an edited
 * history, other settings) starts a fresh conversation with the whole input; the history the model
 * sees is always the prompt's.
 */
export class SessionConversations {
  private readonly sessions = new Map<string, SessionConversation>();

  /** @param codexProvider - the provider-codex provider the conversations are created on. */
  constructor(private readonly codexProvider: () => CodexProvider) {}

  /**
   * Sends one step of session `sessionId`: the items after the conversation's history when the
   * prompt continues it, else the whole `input` on a fresh conversation.
   *
   * @param sessionId - the session (conversation) id
   * @param settings - the step's settings (model, instructions, tools, …)
   * @param input - the whole prompt as Responses items
   * @param signal - aborts the step
   * @returns the step, or `undefined` when a step of this session is still running (send it
   *   without a conversation then)
   */
  send(
    sessionId: string,
    settings: ConversationSettings,
    input: ResponseItem[],
    signal: AbortSignal | undefined,
  ): ConversationStep | undefined {
    const settingsKey = JSON.stringify(settings);
    let session = this.sessions.get(sessionId);
    if (session?.busy === true) return undefined;
    let items =
      session?.settingsKey === settingsKey
        ? itemsAfterHistory(session.conversation.history, input)
        : undefined;
    const continued = items !== undefined;
    if (session === undefined || items === undefined) {
      const conversation = this.codexProvider().createConversation({
        ...settings,
        id: sessionId,
        autoCompact: false,
      });
      session = { conversation, settingsKey, busy: false };
      items = input;
    }
    this.remember(sessionId, session);
    return { chunks: this.run(session, items, signal), continued };
  }

  /** Closes every conversation (their WebSockets) and forgets them. */
  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((session) => session.conversation.close().catch(() => {})));
  }

  /** Records the session as the most recently used one; forgets the oldest idle ones beyond the limit. */
  private remember(sessionId: string, session: SessionConversation): void {
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, session);
    for (const [id, entry] of this.sessions) {
      if (this.sessions.size <= MAX_SESSION_CONVERSATIONS) break;
      if (!entry.busy && entry !== session) this.sessions.delete(id);
    }
  }

  private run(
    session: SessionConversation,
    items: ResponseItem[],
    signal: AbortSignal | undefined,
  ): AsyncIterator<StreamChunk> {
    session.busy = true;
    const chunks = session.conversation.send(items, { signal })[Symbol.asyncIterator]();
    const release = (): void => {
      session.busy = false;
    };
    return {
      async next() {
        try {
          const next = await chunks.next();
          if (next.done === true) release();
          return next;
        } catch (error) {
          release();
          throw error;
        }
      },
      async return() {
        release();
        await chunks.return?.();
        return { done: true, value: undefined };
      },
    };
  }
}
