export {
  type AccessRequest,
  type ContextValue,
  type Decision,
  describeStatement,
  type Evaluation,
  type EvaluationOptions,
  evaluatePolicies,
  type NamedPolicy,
  principalContext,
  type StatementMatch,
  type StatementRef,
  statementMatch,
} from './policy-evaluation.js';
export {
  type ActionDecision,
  AUTHORIZATION_TOKEN_ACTION,
  IDENTITY_PULL_ACTIONS,
  identityPullRequests,
  judgeIdentityPolicies,
  judgeRepositoryPolicy,
  type PullPrincipal,
  type RepositoryPolicyJudgement,
} from './pull-access.js';
export { matchesArnPattern, matchesWildcard } from './wildcard.js';
