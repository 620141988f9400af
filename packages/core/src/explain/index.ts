export {
  EVALUATOR_LIMITS,
  type IdentityActionResult,
  type IdentityCheck,
  type IdentityCheckMethod,
  identityCheckFromPolicies,
  identityCheckFromSimulation,
  identityCheckNotRun,
  type ReadRolePolicy,
  SIMULATOR_LIMITS,
  type SimulatedResult,
} from './identity-check.js';
export {
  judgePullConditions,
  PULL_CHECKS,
  type PullCheck,
  type PullCheckName,
  type PullCheckStatus,
  type PullFacts,
  type PullJudgement,
  pullPrincipal,
} from './pull-checks.js';
