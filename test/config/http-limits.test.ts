import { describe, expect, it } from 'vitest';
import { load } from './fixture.js';

const SOURCE = 'sources:\n  - name: home\n    type: full\n';

describe('http connection limits in the config', () => {
  it('reads http.maxConnections, maxEventStreams and requestTimeoutMs, and leaves them out when not given', () => {
    const set = load({ 'clawwarden.yaml': SOURCE + 'http:\n  listen: 127.0.0.1:9464\n  maxConnections: 64\n  maxEventStreams: 4\n  requestTimeoutMs: 5000\npolicies: []\n' });
    expect(set.messages).toEqual([]);
    expect(set.config?.http).toMatchObject({ maxConnections: 64, maxEventStreams: 4, requestTimeoutMs: 5000 });
    const unset = load({ 'clawwarden.yaml': SOURCE + 'policies: []\n' });
    expect(unset.config?.http.maxConnections).toBeUndefined();
  });

  it('rejects a limit out of range with its place and the bound', () => {
    const bad = load({ 'clawwarden.yaml': SOURCE + 'http:\n  maxConnections: 0\npolicies: []\n' });
    expect(bad.config).toBeUndefined();
    expect(bad.messages[0]).toMatch(/^clawwarden\.yaml:5:\d+ http\.maxConnections: .*>= 1/);
  });
});
