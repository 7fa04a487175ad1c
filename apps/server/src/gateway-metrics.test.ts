import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './gateway-metrics.js';

describe('GatewayMetrics', () => {
  it('renders counters, cumulative histogram buckets and the gauge', async () => {
    const metrics = new GatewayMetrics([0.1, 0.01]);
    metrics.recordRequest('/v1/models', 'GET', 200);
    metrics.recordRequest('/v1/models', 'GET', 200);
    metrics.observeTimeToFirstToken('/v1/chat/completions', 0.005);
    metrics.observeTimeToFirstToken('/v1/chat/completions', 0.05);
    metrics.observeUpstreamLatency('/v1/responses', -1);
    metrics.streamOpened();
    metrics.addTokens('prompt', 12);
    metrics.addTokens('completion', 0);
    metrics.recordError('/v1/chat/completions', 'say "hi"\n');
    const text = await metrics.render();
    expect(text).toContain(
      'codetether_server_requests_total{method="GET",route="/v1/models",status="200"} 2',
    );
    expect(text).toContain(
      'codetether_server_time_to_first_token_seconds_bucket{le="0.01",route="/v1/chat/completions"} 1',
    );
    expect(text).toContain(
      'codetether_server_time_to_first_token_seconds_bucket{le="0.1",route="/v1/chat/completions"} 2',
    );
    expect(text).toContain(
      'codetether_server_time_to_first_token_seconds_bucket{le="+Inf",route="/v1/chat/completions"} 2',
    );
    expect(text).toMatch(
      /codetether_server_time_to_first_token_seconds_sum\{route="\/v1\/chat\/completions"\} 0\.0550*\d?\n/,
    );
    expect(text).toContain('codetether_server_upstream_latency_seconds_sum{route="/v1/responses"} 0\n');
    expect(text).toContain('# TYPE codetether_server_active_streams gauge');
    expect(text).toContain('codetether_server_active_streams 1');
    expect(text).toContain('codetether_server_tokens_total{kind="prompt"} 12');
    expect(text).not.toContain('kind="completion"');
    expect(text).toContain('code="say \\"hi\\"\\n"');
    metrics.streamClosed();
    metrics.streamClosed();
    expect(metrics.activeStreams).toBe(0);
    expect(await metrics.render()).toContain('codetether_server_active_streams 0');
    expect(text.endsWith('\n')).toBe(true);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('keeps each instance in its own registry', async () => {
    const first = new GatewayMetrics();
    const second = new GatewayMetrics();
    first.recordRequest('/healthz', 'GET', 200);
    expect(await second.render()).not.toContain('route="/healthz"');
  });

  it("reports the account's latest usage windows, kept over an empty snapshot", async () => {
    const metrics = new GatewayMetrics();
    expect(await metrics.render()).not.toMatch(/codetether_upstream_usage_used_percent\{/);
    metrics.rememberRateLimits({
      primary: { usedPercent: 42, windowMinutes: 300, resetsAt: 1_700_000_000_000 },
      secondary: { usedPercent: 7 },
      planType: 'plus',
    });
    metrics.rememberRateLimits({});
    const text = await metrics.render();
    expect(text).toContain('codetether_upstream_usage_used_percent{window="primary"} 42');
    expect(text).toContain('codetether_upstream_usage_used_percent{window="secondary"} 7');
    expect(text).toContain('codetether_upstream_usage_resets_at_seconds{window="primary"} 1700000000');
  });
});
