import type { Usage } from '../../domain/session.js';

/** A model as OpenClaw's config declares it: USD per 1M tokens of each kind. */
export interface ModelPrice {
  readonly provider: string;
  readonly model: string;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

/** The everyday model most demo agents use ($3 in / $15 out / $0.30 cache read per 1M, like OpenClaw's sample config). */
export const STANDARD_MODEL: ModelPrice = {
  provider: 'demo',
  model: 'demo-standard',
  input: 3,
  output: 15,
  cacheRead: 0.3,
  cacheWrite: 3.75,
};

/** The premium model the over-budget agent picked: five times the price per token. */
export const LARGE_MODEL: ModelPrice = {
  provider: 'demo',
  model: 'demo-large',
  input: 15,
  output: 75,
  cacheRead: 1.5,
  cacheWrite: 18.75,
};

/** Cost in USD of the given token counts at the model's prices, computed the way OpenClaw does. */
export function costOf(price: ModelPrice, tokens: Omit<Usage, 'cost'>): number {
  return (tokens.input * price.input + tokens.output * price.output + tokens.cacheRead * price.cacheRead + tokens.cacheWrite * price.cacheWrite) / 1_000_000;
}
