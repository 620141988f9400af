export {
  DEFAULT_POLICY_VERSION,
  MAX_POLICY_LENGTH,
  POLICY_VERSIONS,
  PULL_ACTIONS,
} from './constants.js';
export { policiesEquivalent } from './equivalence.js';
export { EmptyPrincipalListError, PolicyError } from './errors.js';
export { renderManagedStatement } from './managed-statement.js';
export { parsePolicyText } from './parse.js';
export { planPolicy } from './plan.js';
export type * from './types.js';
