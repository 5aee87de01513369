/** The policy language: schema, compiler, units and budget windows. */
export { policySchema, policyValidator, POLICY_KEYS } from './schema.js';
export { compilePolicy, policyLanguage, type CompileOptions } from './compile.js';
export { PolicyValueError, type PolicyProblem, type ProblemCode } from '../domain/problem.js';
export {
  UnitError,
  compare,
  formatCount,
  formatDuration,
  formatMoney,
  formatPercent,
  formatQuantity,
  formatRatio,
  parseCount,
  parseDuration,
  parseMoney,
  parsePercent,
  parseRatio,
  parseThreshold,
  type Quantity,
  type Threshold,
} from '../domain/units.js';
export { isKnownZone, parseTimeOfDay, windowAt, type WindowBounds } from './window.js';
export { MATCH_FIELDS } from './match.js';
export type { BudgetWindow, EscalationStep, Policy, PolicyOrigin } from './types.js';
