import { formatDuration, formatPercent } from '../domain/units.js';
import { usageText, type PolicyTrace, type SessionExplanation } from './explain.js';

const VERDICT: Record<PolicyTrace['verdict'], string> = { acts: 'ACTS NOW', waits: 'waits', done: 'done', quiet: 'no' };

/** The explanation as a person reads it: the session, then one block per policy, each line a label and its words. */
export function explanationText(e: SessionExplanation, paint: { bold: (t: string) => string; dim: (t: string) => string } = { bold: (t) => t, dim: (t) => t }): string {
  const s = e.session;
  const now = Date.parse(e.at);
  const facts = [
    `agent ${s.agent}`,
    ...(s.model ? [`model ${s.model}`] : []),
    s.active ? `running${s.runStartedAt !== undefined ? ` ${formatDuration(now - s.runStartedAt)}` : ''}` : s.archived ? 'archived' : 'idle',
    ...(s.lastActivityAt !== undefined && !s.active ? [`last active ${formatDuration(now - s.lastActivityAt)} ago`] : []),
    ...(s.lastHumanAt !== undefined ? [`last human input ${formatDuration(Math.max(0, now - s.lastHumanAt))} ago`] : []),
    ...(s.startedAt !== undefined ? [`started ${formatDuration(now - s.startedAt)} ago`] : []),
    `generation ${s.generation.slice(0, 8)}`,
    ...(e.protected ? ['protected (safety.protect)'] : []),
  ];
  const lines = [`${paint.bold(`session ${s.key}`)} (${facts.join(', ')})`, `usage: ${e.usage ? usageText(e.usage) : 'none recorded'}`, ...(e.held ? [`clawwarden: ${e.held}`] : [])];
  for (const m of e.marks ?? []) {
    const by = m.kind === 'escalation' ? `step ${m.step} of its ladder` : `its do, step ${m.step}`;
    lines.push(
      `${paint.bold('marked')}: ${m.action} by policy ${m.policy} (${by}) at ${m.markedAt}, ${m.notice} notice; due ${m.due} (${m.leftMs > 0 ? `in ${m.left}` : 'due now'})`,
      `  then:   ${m.then}`,
      `  cancel: ${m.unmark}`,
    );
  }
  lines.push(`at ${e.at}`, '');
  for (const p of e.policies) {
    lines.push(
      `${paint.bold(p.policy)}  ${VERDICT[p.verdict]}${p.decision ? `: ${p.decision.actions.join(', ')}` : ''}  ${paint.dim(`(${p.scope} scope, ${p.mode}${p.modeFrom === 'policy' ? ' by the policy' : ''})`)}`,
    );
    const row = (label: string, text: string): void => {
      lines.push(`  ${label.padEnd(9)} ${text}`);
    };
    row('match', `${p.matches ? 'yes' : 'no'}: ${p.match.join('; ')}`);
    if (p.matches) {
      row('measures', p.measures);
      p.conditions.forEach((c, i) => row(i === 0 ? 'when' : '', `${'  '.repeat(c.depth)}${c.name.endsWith(' of') || c.name === 'not' ? `${c.name}:` : c.text} ${mark(c.holds)}`));
      if (p.budget) row('budget', `${formatPercent(p.budget.used)} used${p.budget.warnAt !== undefined ? `, warns at ${formatPercent(p.budget.warnAt)}` : ''}`);
    }
    row('why', p.why);
    if (p.decision)
      row(
        'decides',
        `${p.decision.kind}${p.decision.step > 0 ? ` (step ${p.decision.step})` : ''}: ${p.decision.actions.join(', ')} on ${p.decision.targets} ${p.decision.targets === 1 ? 'session' : 'sessions'} — ${p.decision.reason}`,
      );
    for (const s of p.safety) row('safety', s);
    if (p.ladder)
      row(
        'ladder',
        `episode ${p.ladder.episode}: first action ${p.ladder.firedAt}, step ${p.ladder.stepDone} done${p.ladder.cooldownUntil ? `, no repeat before ${p.ladder.cooldownUntil}` : ''}${p.ladder.crossing ? ` (crossing: ${p.ladder.crossing})` : ''}`,
      );
    if (p.next) row('next', `step ${p.next.step}: ${p.next.actions.join(', ')}${p.next.ifActive ? ' if still active' : ''}, ${p.next.due ?? `${p.next.after} after the first action`}`);
    lines.push('');
  }
  if (e.policies.length === 0) lines.push('No policies loaded.', '');
  return lines.join('\n');
}

function mark(holds: boolean | undefined): string {
  return holds === true ? '✓' : holds === false ? '✗' : '? (unknown)';
}
