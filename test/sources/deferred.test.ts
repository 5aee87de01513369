import { describe, expect, it } from 'vitest';
import { DeferredSource } from '../../src/sources/deferred.js';
import { create as createDemo } from '../../src/sources/demo/index.js';
import { openclawSourceModule } from '../../src/sources/openclaw/module.js';
import type { SourceEvent } from '../../src/sources/source.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const T0 = Date.UTC(2026, 10, 24, 15);

describe('DeferredSource', () => {
  it('loads the implementation on start only, and carries listeners subscribed before', async () => {
    let loads = 0;
    const source = new DeferredSource('demo', 'demo', new Set(['stop'] as const), async () => {
      loads++;
      return createDemo('demo', {}, { now: () => T0, log: quiet });
    });
    const events: SourceEvent['type'][] = [];
    source.subscribe((e) => events.push(e.type));
    expect(loads).toBe(0);
    expect(source.isUp()).toBe(false);
    expect(await source.perform({ action: 'stop', key: 'k', generation: 'g' })).toEqual({ status: 'failed', detail: 'source "demo" is not started' });
    await expect(source.inventory()).rejects.toThrow('not started');
    await source.start();
    await source.start();
    expect(loads).toBe(1);
    expect(source.isUp()).toBe(true);
    expect(events[0]).toBe('up');
    expect((await source.inventory()).length).toBeGreaterThan(10);
    await source.close();
    expect(source.isUp()).toBe(false);
  });

  it('is what the openclaw module creates, so the registry never loads the gateway client up front', () => {
    const source = openclawSourceModule.create('gw', { url: 'ws://127.0.0.1:1' }, { now: Date.now, log: quiet });
    expect(source).toBeInstanceOf(DeferredSource);
    expect([...source.capabilities].sort()).toEqual(['cleanup', 'compact', 'kill', 'pause', 'resume', 'stop']);
  });
});
