import { renderTable } from '../cli/table.js';
import type { BenchRow, BenchSection } from './section.js';
import { consoleBench } from './console.js';
import { enforcementBench } from './enforcement.js';
import { engineBench } from './engine.js';
import { footprintBench } from './footprint.js';
import { guardBench } from './guard.js';
import { historyBench } from './history.js';
import { incidentsBench } from './incidents.js';
import { metricsBench } from './metrics.js';
import { replayBench } from './replay.js';

/** Every bench section, in the order the table prints them. Add a section by importing its module here. */
const SECTIONS: readonly BenchSection[] = [engineBench, enforcementBench, guardBench, incidentsBench, replayBench, historyBench, footprintBench, metricsBench, consoleBench];

/** `npx tsx src/bench/main.ts [section...]`: runs the named sections (default all) and prints one table. */
async function main(argv: readonly string[]): Promise<number> {
  const wanted = argv.length > 0 ? argv : SECTIONS.map((s) => s.name);
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench section(s): ${unknown.join(', ')}; expected: ${SECTIONS.map((s) => s.name).join(', ')}\n`);
    return 2;
  }
  const rows: BenchRow[] = [];
  for (const section of SECTIONS.filter((s) => wanted.includes(s.name))) {
    try {
      rows.push(...(await section.run()));
    } catch (error) {
      // One broken section must not hide the others' figures.
      rows.push({ section: section.name, case: 'error', measured: (error as Error).message, target: '-' });
    }
  }
  process.stdout.write(
    `${renderTable(
      ['section', 'case', 'measured', 'target'],
      rows.map((r) => [r.section, r.case, r.measured, r.target]),
    )}\n`,
  );
  return rows.some((r) => r.case === 'error') ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
