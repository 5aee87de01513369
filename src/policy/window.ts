import { DateTime, IANAZone } from 'luxon';
import type { BudgetWindow } from './types.js';

/** A budget window's bounds [start, end), epoch ms. */
export interface WindowBounds {
  readonly start: number;
  readonly end: number;
}

/** Parses `HH:MM` (24 h); undefined when malformed. */
export function parseTimeOfDay(at: string): { hour: number; minute: number } | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** True when `tz` is an IANA zone this runtime knows. */
export function isKnownZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/**
 * The window containing `now`: days start at `at` local time in `tz` (so a day can last 23 h or 25 h
 * across DST), weeks on Monday at `at`, months on day 1 at `at`.
 */
export function windowAt(window: BudgetWindow, now: number): WindowBounds {
  // Every evaluation asks for the window of `now`; while now stays inside the last one, it is the answer (a replay
  // asks a million times a month, and luxon's zone arithmetic is the costliest step of a small evaluation).
  const last = lastWindow.get(window);
  if (last !== undefined && now >= last.start && now < last.end) return last;
  const bounds = computeWindow(window, now);
  lastWindow.set(window, bounds);
  return bounds;
}

const lastWindow = new WeakMap<BudgetWindow, WindowBounds>();

function computeWindow(window: BudgetWindow, now: number): WindowBounds {
  const time = parseTimeOfDay(window.at) ?? { hour: 0, minute: 0 };
  const local = DateTime.fromMillis(now, { zone: window.tz });
  const unit = window.every === 'day' ? 'day' : window.every === 'week' ? 'week' : 'month';
  // luxon's startOf('week') is the ISO week, which starts on Monday.
  let start = local.startOf(unit).set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 });
  if (start.toMillis() > now)
    start = start
      .minus({ [`${unit}s`]: 1 })
      .startOf(unit)
      .set({ hour: time.hour, minute: time.minute });
  const end = start
    .plus({ [`${unit}s`]: 1 })
    .startOf(unit)
    .set({ hour: time.hour, minute: time.minute });
  return { start: start.toMillis(), end: end.toMillis() };
}
