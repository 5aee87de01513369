import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Relative imports of every .ts file under `root` (type-only imports included: they tie the design together too). */
export function importGraph(root: string): Map<string, Set<string>> {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(root);
  const graph = new Map<string, Set<string>>();
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const deps = new Set<string>();
    for (const m of text.matchAll(pattern)) {
      const spec = (m[1] ?? m[2])!;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      deps.add(relative(root, target));
    }
    graph.set(relative(root, file), deps);
  }
  return graph;
}

/** Folder-level graph: `engine` → `policy` when a file in src/engine imports one in src/policy (top-level folders; root files are their own node). */
export function folderGraph(files: Map<string, Set<string>>): Map<string, Set<string>> {
  const folder = (f: string): string => (f.includes('/') ? f.slice(0, f.indexOf('/')) : f.replace(/\.ts$/, ''));
  const out = new Map<string, Set<string>>();
  for (const [file, deps] of files) {
    const from = folder(file);
    const set = out.get(from) ?? new Set<string>();
    out.set(from, set);
    for (const d of deps) if (folder(d) !== from) set.add(folder(d));
  }
  return out;
}

/** Strongly connected components with more than one node (or a self-loop): every import cycle, each sorted. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
