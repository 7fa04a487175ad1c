// Recorded-style Responses SSE streams and the chunks they must produce. Loaded with Vite's `?raw`
// imports so the tests need no file system (they also run in the edge-runtime environment).

import type { StreamChunk } from '../stream-chunk.js';
import argumentsOnlyInDoneExpected from './arguments-only-in-done.expected.json?raw';
import argumentsOnlyInDone from './arguments-only-in-done.sse?raw';
import errorNestedExpected from './error-nested.expected.json?raw';
import errorNested from './error-nested.sse?raw';
import failedExpected from './failed.expected.json?raw';
import failed from './failed.sse?raw';
import incompleteMaxTokensExpected from './incomplete-max-tokens.expected.json?raw';
import incompleteMaxTokens from './incomplete-max-tokens.sse?raw';
import parallelToolCallsInterleavedExpected from './parallel-tool-calls-interleaved.expected.json?raw';
import parallelToolCallsInterleaved from './parallel-tool-calls-interleaved.sse?raw';
import plainTextWithCachedUsageExpected from './plain-text-with-cached-usage.expected.json?raw';
import plainTextWithCachedUsage from './plain-text-with-cached-usage.sse?raw';
import reasoningSummaryThenTextExpected from './reasoning-summary-then-text.expected.json?raw';
import reasoningSummaryThenText from './reasoning-summary-then-text.sse?raw';
import streamCutBeforeCompletionExpected from './stream-cut-before-completion.expected.json?raw';
import streamCutBeforeCompletion from './stream-cut-before-completion.sse?raw';
import toolCallSplitArgumentsExpected from './tool-call-split-arguments.expected.json?raw';
import toolCallSplitArguments from './tool-call-split-arguments.sse?raw';
import unknownEventsMixedExpected from './unknown-events-mixed.expected.json?raw';
import unknownEventsMixed from './unknown-events-mixed.sse?raw';

/** One recorded-style stream. */
export interface StreamFixture {
  /** File name without extension. */
  name: string;
  /** The stream as UTF-8 bytes, exactly as on the wire (BOM and CR/CRLF line endings kept). */
  bytes: Uint8Array;
  /** The chunks the SSE parser must produce (`feed` outputs then `end` output, concatenated). */
  expected: StreamChunk[];
}

const encoder = new TextEncoder();

function fixture(name: string, text: string, expected: string): StreamFixture {
  return { name, bytes: encoder.encode(text), expected: JSON.parse(expected) as StreamChunk[] };
}

/** Every fixture. */
export const streamFixtures: readonly StreamFixture[] = [
  fixture('plain-text-with-cached-usage', plainTextWithCachedUsage, plainTextWithCachedUsageExpected),
  fixture('reasoning-summary-then-text', reasoningSummaryThenText, reasoningSummaryThenTextExpected),
  fixture('tool-call-split-arguments', toolCallSplitArguments, toolCallSplitArgumentsExpected),
  fixture(
    'parallel-tool-calls-interleaved',
    parallelToolCallsInterleaved,
    parallelToolCallsInterleavedExpected,
  ),
  fixture('arguments-only-in-done', argumentsOnlyInDone, argumentsOnlyInDoneExpected),
  fixture('failed', failed, failedExpected),
  fixture('incomplete-max-tokens', incompleteMaxTokens, incompleteMaxTokensExpected),
  fixture('error-nested', errorNested, errorNestedExpected),
  fixture('unknown-events-mixed', unknownEventsMixed, unknownEventsMixedExpected),
  fixture('stream-cut-before-completion', streamCutBeforeCompletion, streamCutBeforeCompletionExpected),
];
