import { describe, expect, it } from 'vitest';
import { createUpstreamSessionLanes } from './upstream-session-lanes.js';

describe('createUpstreamSessionLanes', () => {
  it('lends each free lane to one request at a time and reuses returned lanes', () => {
    let counter = 0;
    const lanes = createUpstreamSessionLanes(8, () => `lane-${++counter}`);
    const first = lanes.acquire();
    const second = lanes.acquire();
    expect(first).not.toBe(second);
    lanes.release(first);
    expect(lanes.idleCount()).toBe(1);
    expect(lanes.acquire()).toBe(first);
    expect(lanes.idleCount()).toBe(0);
  });

  it('ignores unknown and double releases, so a lane is never lent twice at once', () => {
    let counter = 0;
    const lanes = createUpstreamSessionLanes(8, () => `lane-${++counter}`);
    const lane = lanes.acquire();
    lanes.release(lane);
    lanes.release(lane);
    lanes.release('client-session');
    expect(lanes.idleCount()).toBe(1);
    expect(lanes.acquire()).toBe(lane);
    expect(lanes.acquire()).not.toBe(lane);
  });

  it('keeps at most the configured number of free lanes', () => {
    const lanes = createUpstreamSessionLanes(2);
    const lent = [lanes.acquire(), lanes.acquire(), lanes.acquire()];
    for (const lane of lent) lanes.release(lane);
    expect(lanes.idleCount()).toBe(2);
  });
});
