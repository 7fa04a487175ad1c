// What the conversation benchmarks (provider-codex, the gateway) report of one mode's runs: upload per
// turn (from the emulator's recording) and time, as medians over the rounds.

/** The median of `numbers`. */
export function median(numbers) {
  const sorted = [...numbers].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Summarises the runs of one mode.
 *
 * @param {Array<{ uploads: number[], turnTimes: number[], totalMs: number, historyBytes: number,
 *   continued: number, connections: number }>} runs - one entry per round
 */
export function summarizeConversationRuns(runs) {
  const later = runs.flatMap((run) => run.uploads.slice(1));
  return {
    firstTurnUploadBytes: median(runs.map((run) => run.uploads[0])),
    medianUploadPerTurnBytes: median(later),
    maxUploadPerTurnBytes: Math.max(...later),
    totalUploadBytes: median(runs.map((run) => run.uploads.reduce((sum, bytes) => sum + bytes, 0))),
    medianTurnMs: median(runs.flatMap((run) => run.turnTimes)),
    totalMs: median(runs.map((run) => run.totalMs)),
    historyBytes: runs[0].historyBytes,
    continuedTurns: runs[0].continued,
    connections: runs[0].connections,
  };
}
