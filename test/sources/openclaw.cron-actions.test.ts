import { describe, expect, it } from 'vitest';
import { cronJobOf, performAction, type ActionPort } from '../../src/sources/openclaw/actions.js';

/** A gateway that knows one session and records every call. */
function port(key: string, row: Record<string, unknown> = {}, failCron = false): ActionPort & { calls: [string, object][] } {
  const calls: [string, object][] = [];
  return {
    source: 'gw',
    now: () => 1000,
    calls,
    request: async <T>(method: string, params: object): Promise<T> => {
      calls.push([method, params]);
      if (method === 'sessions.describe') return { session: { key, sessionId: 'g1', agentId: 'main', ...row } } as T;
      if (method === 'sessions.abort') return { status: 'aborted' } as T;
      if (method === 'cron.update' && failCron) throw new Error('cron disabled on this gateway');
      return {} as T;
    },
  };
}

describe('OpenClaw actions on cron sessions', () => {
  it('finds the job of a cron session key, and nothing in other keys', () => {
    expect(cronJobOf('agent:main:cron:job-7:run:abc')).toBe('job-7');
    expect(cronJobOf('agent:ops:cron:nightly')).toBe('nightly');
    expect(cronJobOf('agent:main:cronjob')).toBeUndefined();
    expect(cronJobOf('agent:main:subagent:cron:x')).toBeUndefined();
  });

  it('kill of a cron run archives it and disables the job; resume enables it again', async () => {
    const key = 'agent:main:cron:job-7:run:abc';
    const killing = port(key);
    const kill = await performAction(killing, { action: 'kill', key, generation: 'g1' });
    expect(kill).toMatchObject({ status: 'done' });
    expect(kill.detail).toBe('run aborted; archived; cron job job-7 disabled (its next runs will not start until resumed)');
    expect(killing.calls.map(([m]) => m)).toEqual(['sessions.describe', 'sessions.abort', 'sessions.patch', 'cron.update']);
    expect(killing.calls[3]![1]).toEqual({ id: 'job-7', patch: { enabled: false } });

    const resuming = port(key, { archived: true });
    const resume = await performAction(resuming, { action: 'resume', key, generation: 'g1' });
    expect(resume.detail).toBe('restored; cron job job-7 enabled again');
    expect(resuming.calls.at(-1)).toEqual(['cron.update', { id: 'job-7', patch: { enabled: true } }]);
  });

  it('pause of a cron run disables the job; a refusal to disable is said, the archive stands', async () => {
    const key = 'agent:main:cron:job-7:run:abc';
    const pause = await performAction(port(key, {}, true), { action: 'pause', key, generation: 'g1' });
    expect(pause.status).toBe('done');
    expect(pause.detail).toMatch(/^archived; cron job job-7 could not be disabled: .*cron disabled on this gateway/);
  });

  it('other sessions never touch cron jobs', async () => {
    const p = port('agent:main:work');
    await performAction(p, { action: 'kill', key: 'agent:main:work', generation: 'g1' });
    expect(p.calls.map(([m]) => m)).not.toContain('cron.update');
  });
});
