import type { FinishReason, ResponseItem, StreamChunk } from '../stream-chunk.js';
import { FinishedItems } from './finished-items.js';
import type { FinalOutput, UncheckedResponse } from './stream-termination.js';
import type { TextParts } from './text-parts.js';
import { isToolItem, type ToolCallState } from './tool-call-state.js';
import { isRecord, optionalString, type UncheckedOutputItem } from './unchecked-event.js';

/**
 * Whole output items: announced (`output_item.added`), finished (`output_item.done`) and listed
 * again in the final response, where an item the stream did not show is taken in full and a tool
 * call still open is finished. Tool items go to the tool call state, messages and reasoning to the
 * text parts. Whole items are also kept for the `done` chunk's `outputItems`.
 * @internal
 */
export class OutputItems implements FinalOutput {
  private readonly finished = new FinishedItems();

  /** Handles the items of the response whose text parts and tool calls are `text` and `tools`. */
  constructor(
    private readonly text: TextParts,
    private readonly tools: ToolCallState,
  ) {}

  /** `response.output_item.added`. */
  added(item: UncheckedOutputItem, outputIndex: number | undefined, out: StreamChunk[]): void {
    this.text.noteItem(optionalString(item.id), outputIndex);
    if (isToolItem(item)) this.tools.recordItem(item, outputIndex, false, out);
  }

  /** `response.output_item.done`, or an item of the final response that the stream did not show. */
  done(item: UncheckedOutputItem, outputIndex: number | undefined, out: StreamChunk[]): void {
    const itemId = optionalString(item.id);
    this.text.noteItem(itemId, outputIndex);
    this.finished.record(item as ResponseItem, outputIndex);
    if (isToolItem(item)) this.tools.recordItem(item, outputIndex, true, out);
    else this.text.reconcileItem(item, itemId, outputIndex, out);
  }

  /** Reconciles the final response's `output` with what streamed, then ends every open tool call. */
  settle(response: UncheckedResponse | undefined, out: StreamChunk[]): void {
    if (response !== undefined && Array.isArray(response.output)) {
      response.output.forEach((item: unknown, outputIndex) => {
        if (!isRecord(item)) return;
        if (!this.text.wasSeen(optionalString(item.id), outputIndex)) this.done(item, outputIndex, out);
        else if (isToolItem(item)) this.tools.settleFinalItem(item, outputIndex, out);
      });
      this.finished.fillFrom(response.output);
    }
    this.tools.finishAll(out);
  }

  /** The response's whole output items, in output order (undefined when there are none). */
  items(): ResponseItem[] | undefined {
    return this.finished.list();
  }

  /** `tool-calls` when a tool was called, `content-filter` for a refusal alone, else `stop`. */
  finishReason(): FinishReason {
    if (this.tools.anyStarted()) return 'tool-calls';
    return this.text.refusedOnly() ? 'content-filter' : 'stop';
  }
}
