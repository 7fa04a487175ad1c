import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './gateway-metrics.js';

describe('GatewayMetrics', () => {
  it('renders counters, cumulative histogram buckets and the gauge', () => {
    const metrics = new GatewayMetrics([0.01, 0.1]);
    metrics.recordRequest('/v1/models', 'GET', 200);
    metrics.recordRequest('/v1/models', 'GET', 200);
    metrics.observeTimeToFirstToken('/v1/chat/completions', 0.005);
    metrics.observeTimeToFirstToken('/v1/chat/completions', 0.05);
    metrics.streamOpened();
    metrics.addTokens('prompt', 12);
    metrics.recordError('/v1/chat/completions', 'say "hi"\n');
    const text = metrics.render();
    expect(text).toContain(
      'codetether_server_requests_total{method="GET",route="/v1/models",status="200"} 2',
    );
    expect(text).toContain(
      'codetether_server_time_to_first_token_seconds_bucket{route="/v1/chat/completions",le="0.01"} 1',
    );
    expect(text).toContain(
      'codetether_server_time_to_first_token_seconds_bucket{route="/v1/chat/completions",le="0.1"} 2',
    );
    expect(text).toContain(
      'codetether_server_time_to_first_token_seconds_bucket{route="/v1/chat/completions",le="+Inf"} 2',
    );
    expect(text).toContain(
      'codetether_server_time_to_first_token_seconds_sum{route="/v1/chat/completions"} 0.055',
    );
    expect(text).toContain('codetether_server_active_streams 1');
    expect(text).toContain('codetether_server_tokens_total{kind="prompt"} 12');
    expect(text).toContain('code="say \\"hi\\"\\n"');
    metrics.streamClosed();
    metrics.streamClosed();
    expect(metrics.activeStreams).toBe(0);
    expect(text.endsWith('\n')).toBe(true);
  });
});
