import type { ResponseItem } from '../stream-chunk.js';
import { isRecord, optionalString } from './unchecked-event.js';

/**
 * The whole output items of one response, for the `done` chunk's `outputItems`: every item of a
 * `response.output_item.done` event, then the items of the final response's `output` that no such
 * event delivered (matched by output index or item id). Ordered by output index; items without one
 * follow in the order they arrived. The items are kept as they came (ids included).
 * @internal
 */
export class FinishedItems {
  private readonly byIndex = new Map<number, ResponseItem>();
  private readonly unindexed: ResponseItem[] = [];
  private readonly ids = new Set<string>();

  /** A `response.output_item.done` item (a later item at the same index replaces the earlier one). */
  record(item: ResponseItem, outputIndex: number | undefined): void {
    const id = optionalString(item.id);
    if (id !== undefined) this.ids.add(id);
    if (outputIndex === undefined) this.unindexed.push(item);
    else this.byIndex.set(outputIndex, item);
  }

  /** Takes the items of the final response's `output` that the stream did not deliver whole. */
  fillFrom(output: unknown): void {
    if (!Array.isArray(output)) return;
    output.forEach((item: unknown, outputIndex) => {
      if (!isRecord(item) || this.byIndex.has(outputIndex)) return;
      const id = optionalString(item.id);
      if (id !== undefined && this.ids.has(id)) return;
      this.record(item, outputIndex);
    });
  }

  /** The items in output order, or undefined when there are none. */
  list(): ResponseItem[] | undefined {
    if (this.byIndex.size === 0 && this.unindexed.length === 0) return undefined;
    const indexed = [...this.byIndex.entries()].sort(([left], [right]) => left - right);
    return [...indexed.map(([, item]) => item), ...this.unindexed];
  }
}
