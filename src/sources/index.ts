import type { SourceModule } from './source.js';
import { demoSourceModule } from './demo/index.js';
import { openclawSourceModule } from './openclaw/module.js';

/** Every source type clawwarden knows, alphabetised by name; config loading and the daemon look types up here. */
export const sourceModules: readonly SourceModule[] = [demoSourceModule, openclawSourceModule];
