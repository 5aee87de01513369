import type { JSONSchemaType } from 'ajv';
import type { ActionName } from '../../domain/action.js';
import type { SourceContext, SourceModule } from '../source.js';
import { ACTION_NAMES } from '../../domain/action.js';
import type { DemoOptions } from './source.js';
import { DemoSource } from './source.js';

export { DEMO_AGENTS, DEMO_CAST, PROFILES } from './cast.js';
export { DEMO_CONFIG_YAML } from './config.js';
export { STORY } from './story.js';
export { DemoNotStartedError, DemoSource } from './source.js';
export type { DemoOptions } from './source.js';

/** `type: demo` — the built-in simulated fleet. */
export const name = 'demo';
export const description =
  'A simulated OpenClaw fleet of 13 agents (healthy ones, a runaway tool loop, an idle session, an inefficient one, an agent over its daily budget), deterministic from a seed; needs nothing installed.';

/** The demo's options, beside `name`/`type` in a `sources[]` entry. */
export const schema: JSONSchemaType<DemoOptions> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seed: { type: 'integer', nullable: true, minimum: 0, maximum: 4_294_967_295, description: 'same seed, same fleet (default 42)' },
    speed: { type: 'number', nullable: true, exclusiveMinimum: 0, maximum: 1_000, description: 'pace multiplier of the fleet (default 1)' },
    sessions: { type: 'integer', nullable: true, minimum: 0, maximum: 100_000, description: 'extra healthy background sessions (default 0)' },
    tickMs: { type: 'integer', nullable: true, minimum: 10, maximum: 60_000, description: 'ms between simulation steps while running (default 200)' },
    story: {
      type: 'boolean',
      nullable: true,
      description: 'play the storyline: a new runaway, an agent over budget, an idle session and more, on their own clock (default false; run --demo turns it on)',
    },
  },
};

export const example = `sources:
  - name: demo
    type: demo
    seed: 42          # same seed, same fleet
    speed: 1          # 10 = ten times busier
    sessions: 1000    # extra healthy background sessions (benches)
    story: true       # new incidents after the start: a runaway at 20 s, an agent over budget at ~1 min, …
`;

/** Every action: actions.ts implements each ActionName (its table does not compile with one missing). */
export const capabilities: readonly ActionName[] = ACTION_NAMES;

/** Builds the demo fleet as it stands at `context.now()`; it advances once started. */
export function create(sourceName: string, options: DemoOptions, context: SourceContext): DemoSource {
  return new DemoSource(sourceName, options, context);
}

/** The demo source module, as listed in the source registry. */
export const demoSourceModule: SourceModule<DemoOptions> = {
  name,
  description,
  schema,
  example,
  capabilities,
  create,
};
