import { validateDetailed } from 'node-cron';

/**
 * The sweep schedule as a function from a time to its next fire at or after it, in the local time zone as node-cron
 * fires it for the daemon. For `* * * * *` that is the next whole minute.
 */
export function sweepTimes(expression: string): (at: number) => number {
  const parsed = validateDetailed(expression);
  if (!parsed.valid || !parsed.fields) throw new Error(`invalid cron expression "${expression}"`);
  const f = parsed.fields;
  const set = (values: readonly (number | string)[]): Set<number> => new Set(values.map(Number));
  const seconds = [...set(f.second)].sort((a, b) => a - b);
  const minutes = set(f.minute);
  const hours = set(f.hour);
  const days = set(f.dayOfMonth);
  const months = set(f.month);
  const weekdays = set(f.dayOfWeek.map((d) => (Number(d) === 7 ? 0 : d)));
  const everyMinute = seconds.length === 1 && seconds[0] === 0 && minutes.size === 60 && hours.size === 24 && days.size === 31 && months.size === 12 && weekdays.size === 7;
  if (everyMinute) return (at) => Math.ceil(at / 60_000) * 60_000;
  return (at) => {
    const d = new Date(Math.ceil(at / 1000) * 1000);
    // At most a few years of steps: every jump moves to the start of the next candidate unit.
    for (let guard = 0; guard < 500_000; guard++) {
      if (!months.has(d.getMonth() + 1)) {
        d.setMonth(d.getMonth() + 1, 1);
        d.setHours(0, 0, 0, 0);
        continue;
      }
      if (!days.has(d.getDate()) || !weekdays.has(d.getDay())) {
        d.setDate(d.getDate() + 1);
        d.setHours(0, 0, 0, 0);
        continue;
      }
      if (!hours.has(d.getHours())) {
        d.setHours(d.getHours() + 1, 0, 0, 0);
        continue;
      }
      if (!minutes.has(d.getMinutes())) {
        d.setMinutes(d.getMinutes() + 1, 0, 0);
        continue;
      }
      const second = seconds.find((s) => s >= d.getSeconds());
      if (second === undefined) {
        d.setMinutes(d.getMinutes() + 1, 0, 0);
        continue;
      }
      d.setSeconds(second, 0);
      return d.getTime();
    }
    return Number.POSITIVE_INFINITY;
  };
}
