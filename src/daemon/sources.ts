import type { Config } from '../config/types.js';
import { sourceModules } from '../sources/index.js';
import type { Source, SourceContext } from '../sources/source.js';

/** Instantiates every configured source through its module (the config loader already validated type and options). */
export function createSources(config: Config, context: SourceContext): Source[] {
  return config.sources.map((s) => {
    const module = sourceModules.find((m) => m.name === s.type);
    if (!module) throw new Error(`source "${s.name}": unknown type "${s.type}"`);
    return module.create(s.name, s.options, context);
  });
}
