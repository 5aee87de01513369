import { ifAssigned } from '../if-assigned.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionExplanation } from '../../src/explain/explain.js';
import { CONSOLE_TEST_CONFIG, TOKEN, startDemoWarden } from '../console/warden.js';

// Marks over the API of the real daemon: the list shows them with their due time; unmark needs the write token.

const CONFIG = `${CONSOLE_TEST_CONFIG}
  - name: idle-archive
    match: { agent: archivist }
    when: { idle: "> 24h" }
    do: [ { cleanup: archive, notice: 1h } ]
`;
const KEY = 'agent:archivist:weekly-digest';

describe('marks over the HTTP API', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  beforeAll(async () => {
    warden = await startDemoWarden(CONFIG);
  });
  afterAll(async () => {
    await ifAssigned(warden)?.close();
  });

  interface Mark {
    policy: string;
    action: string;
    at: number;
    due: number;
  }
  interface View {
    session: { key: string; archived: boolean };
    marks?: Mark[];
  }
  const view = async (): Promise<View | undefined> => {
    const res = await fetch(`${warden.base}/api/v1/sessions`);
    return ((await res.json()) as { sessions: View[] }).sessions.find((v) => v.session.key === KEY);
  };
  const unmark = (key: string, token?: string): Promise<Response> =>
    fetch(`${warden.base}/api/v1/sessions/${encodeURIComponent(key)}/unmark`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: '{}',
    });

  it('lists the marked session with the action, the policy and the due time, and leaves it alone', async () => {
    const v = await view();
    expect(v?.session.archived).toBe(false);
    expect(v?.marks).toEqual([expect.objectContaining({ policy: 'idle-archive', action: 'archive' })]);
    expect(v!.marks![0]!.due - v!.marks![0]!.at).toBe(3_600_000);
  });

  it('explain names the mark: policy, step, action, marked and due times, what happens then and how to cancel', async () => {
    const res = await fetch(`${warden.base}/api/v1/sessions/${encodeURIComponent(KEY)}/explain`);
    expect(res.status).toBe(200);
    const e = ((await res.json()) as { explanation: SessionExplanation }).explanation;
    const v = await view();
    expect(e.marks).toEqual([
      expect.objectContaining({
        policy: 'idle-archive',
        kind: 'violation',
        step: 0,
        action: 'cleanup(archive)',
        notice: '1h',
        markedAt: new Date(v!.marks![0]!.at).toISOString(),
        due: new Date(v!.marks![0]!.due).toISOString(),
        stillMatches: true,
        unmark: `clawwarden sessions unmark ${KEY}`,
      }),
    ]);
    expect(e.marks![0]!.then).toMatch(/^at .* it acts only if policy idle-archive still matches then \(it does now\)/);
    expect(e.policies.find((p) => p.policy === 'idle-archive')).toMatchObject({ verdict: 'waits' });
  });

  it('refuses an unmark without the write token, or with a wrong one', async () => {
    expect((await unmark(KEY)).status).toBe(401);
    expect((await unmark(KEY, 'not-the-token')).status).toBe(401);
    expect((await view())?.marks).toHaveLength(1);
  });

  it('unmark cancels the mark, journaled with who; a second unmark has nothing left; an unknown key is a 404', async () => {
    const res = await unmark(KEY, TOKEN);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cancelled: Mark[] }).cancelled).toEqual([expect.objectContaining({ policy: 'idle-archive', action: 'archive' })]);
    expect((await view())?.marks).toBeUndefined();
    const journal = (await (await fetch(`${warden.base}/api/v1/journal?session=${encodeURIComponent(KEY)}`)).json()) as { entries: { type: string; result?: string; by?: string }[] };
    expect(journal.entries).toContainEqual(expect.objectContaining({ type: 'mark', result: 'cancelled', by: 'api' }));
    // Cancelled for good: a sweep does not mark it again.
    await warden.daemon.sweep();
    expect((await view())?.marks).toBeUndefined();
    expect(((await (await unmark(KEY, TOKEN)).json()) as { cancelled: Mark[] }).cancelled).toEqual([]);
    expect((await unmark('agent:nobody:here', TOKEN)).status).toBe(404);
  });
});
