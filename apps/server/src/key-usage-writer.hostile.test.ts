import { describe, expect, it } from 'vitest';
import type { ClientKeyUsageStore } from './client-key-usage-store.js';
import type { GatewayLogger } from './gateway-logger.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { createKeyUsageWriter } from './key-usage-writer.js';

/** A logger that keeps what was logged at warn and info. */
function recordingLogger(): { logger: GatewayLogger; lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const record = (level: string) => (_fields: unknown, message?: string) => {
    lines.push({ level, message: message ?? '' });
  };
  const logger = { warn: record('warn'), info: record('info'), error: record('error'), debug: () => {} };
  return { logger: logger as unknown as GatewayLogger, lines };
}

/** A usage store whose writes fail until `healed` is set. */
function failingStore(): {
  store: ClientKeyUsageStore;
  attempts: () => number;
  heal(): void;
  published: unknown[];
} {
  let attempts = 0;
  let healed = false;
  const published: unknown[] = [];
  return {
    store: {
      async publish(totals) {
        attempts += 1;
        if (!healed) throw new Error('ENOSPC: no space left on device');
        published.push(Object.fromEntries(totals));
      },
      read: async () => undefined,
    },
    attempts: () => attempts,
    heal: () => {
      healed = true;
    },
    published,
  };
}

describe('the per-key usage writer against a store that keeps failing', () => {
  it('logs the failure once per outage, not on every tick, and once more when it works again', async () => {
    const metrics = new GatewayMetrics();
    const { logger, lines } = recordingLogger();
    const failing = failingStore();
    const writer = createKeyUsageWriter(metrics, logger, failing.store, { intervalMs: false });
    for (let tick = 0; tick < 50; tick += 1) {
      metrics.recordKeyRequest('laptop');
      metrics.addTokens('prompt', 3, 'laptop');
      await writer.writeNow();
    }
    expect(failing.attempts()).toBe(50);
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(lines[0]?.message).toContain('could not record the per-key usage');
    failing.heal();
    await writer.writeNow();
    expect(failing.published).toHaveLength(1);
    expect(lines.filter((line) => line.level === 'info')).toHaveLength(1);
    // The totals lost no request while the store failed: they are totals, written whole.
    expect(failing.published[0]).toEqual({ laptop: { requests: 50, tokens: 150 } });
    await writer.flush();
  });

  it('stop() ends the ticks without writing (a gateway that never listened leaves the usage file alone)', async () => {
    const metrics = new GatewayMetrics();
    const failing = failingStore();
    failing.heal();
    const writer = createKeyUsageWriter(metrics, recordingLogger().logger, failing.store, {
      intervalMs: false,
    });
    await writer.flush({ publish: false });
    expect(failing.attempts()).toBe(0);
  });
});
