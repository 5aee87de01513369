import type { ActionModule } from './types.js';
import * as cleanup from './cleanup.js';
import * as compact from './compact.js';
import * as kill from './kill.js';
import * as notify from './notify.js';
import * as pause from './pause.js';
import * as resume from './resume.js';
import * as stop from './stop.js';

/** Every action, alphabetised by YAML name. */
export const actionModules: readonly ActionModule[] = [cleanup, compact, kill, notify, pause, resume, stop];

export { compileActions } from './compile.js';
export type { ActionModule } from './types.js';
