// Types of stream-generator.mjs (imported by the tests).

/** One Responses stream event as the generator builds it. */
export interface GeneratedEvent {
  type: string;
  [field: string]: unknown;
}

/** The mixed stream: reasoning summary, answer text and a ~27 kB tool call in ~1,400 deltas. */
export function generateMixedEvents(seed?: number): GeneratedEvent[];
/** The text-only stream: one answer of ~`length` characters in small deltas. */
export function generateTextOnlyEvents(seed?: number, length?: number): GeneratedEvent[];
/** One tool call of `argumentLength` characters streamed in `deltas` deltas. */
export function generateToolCallEvents(
  argumentLength: number,
  deltas: number,
  seed?: number,
): GeneratedEvent[];
/** The events as SSE text. */
export function toSseText(events: readonly GeneratedEvent[]): string;
/** The events as WebSocket text frames (one JSON event each). */
export function toWebSocketFrames(events: readonly GeneratedEvent[]): string[];
/** `bytes` cut into chunks of `size` bytes. */
export function splitIntoChunks(bytes: Uint8Array, size: number): Uint8Array[];
/** `text` (SSE text or a frame) with every generated id made unique to response number `responseNumber`. */
export function withResponseNumber(text: string, responseNumber: number): string;
/** Where the last 8 hex digits of every generated id are in the UTF-8 encoding of `text`. */
export function responseNumberOffsets(text: string): number[];
/** `bytes` made response number `responseNumber`, in place, at `offsets` (see `responseNumberOffsets`). */
export function renumberResponse(bytes: Uint8Array, offsets: readonly number[], responseNumber: number): void;
