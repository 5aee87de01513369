import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/domain/session.js';
import { Stage } from '../../src/replay/stage.js';
import { configOf, MIN, T0 } from '../replay/fixtures.js';

// A main session held because nobody was reading it (idle.human): heartbeat runs on it are aborted, a person's is not.

const DAY = 24 * 60 * MIN;
const ABANDONED = `  - name: abandoned
    when: { all: [ { idle.human: "> 3d" }, { active: true } ] }
    do: [ pause ]
`;

function main(extra: Partial<Session>): Session {
  return {
    source: 'home',
    key: 'agent:a:main',
    generation: 'g1',
    agent: 'a',
    main: true,
    archived: false,
    active: true,
    startedAt: T0 - 30 * DAY,
    lastActivityAt: T0,
    lastHumanAt: T0 - 4 * DAY,
    ...extra,
  };
}

describe('a session held as abandoned', () => {
  it('aborts the heartbeat runs that start on it, then releases the hold and lets the run go on once a person writes', async () => {
    const stage = new Stage({ config: configOf(ABANDONED), now: T0 });
    stage.put(main({}));
    await stage.evaluate({ trigger: 'sweep' });
    expect(stage.state.hold('home', 'agent:a:main')).toMatchObject({ kind: 'hold', policy: 'abandoned' });

    // A heartbeat run starts: no person wrote since the hold, so it is aborted.
    stage.advance(T0 + 30 * MIN);
    const heartbeat = stage.put(main({ runStartedAt: T0 + 30 * MIN }));
    expect(await stage.enforceHold(heartbeat)).toMatchObject({ action: 'stop', status: 'done' });

    // A person writes: their run is left alone and the next evaluation resumes the session.
    stage.advance(T0 + 60 * MIN);
    const person = stage.put(main({ runStartedAt: T0 + 60 * MIN, lastHumanAt: T0 + 60 * MIN }));
    expect(await stage.enforceHold(person)).toBeUndefined();
    const batch = await stage.evaluate({ trigger: 'sweep' });
    // A main session was never archived: the platform has nothing to restore; the hold is what is released.
    expect(batch.outcomes.map((o) => `${o.action} ${o.status}`)).toEqual(['resume noop']);
    expect(stage.state.hold('home', 'agent:a:main')).toBeUndefined();
    const released = stage.journal.entries.find((e) => e.type === 'decision' && e.kind === 'release');
    expect(released?.reason).toMatch(/a person wrote to the session at .*, after policy abandoned held it as abandoned; releasing the hold placed for: /);
    expect(stage.performed.map((p) => p.request.action)).toEqual(['pause', 'stop', 'resume']);
  });
});
