import { PULL_ACTIONS } from '../policy/constants.js';
import { isManagedStatement } from '../policy/managed-grants.js';
import type { PolicyDocument } from '../policy/types.js';
import {
  type AccessRequest,
  type ContextValue,
  type Evaluation,
  evaluatePolicies,
  type NamedPolicy,
  type StatementRef,
} from './policy-evaluation.js';

/** Asked of the role's own policies only: ECR refuses it in a repository. */
export const AUTHORIZATION_TOKEN_ACTION = 'ecr:GetAuthorizationToken';

/** Every action a pull needs the role's own IAM policies to allow. */
export const IDENTITY_PULL_ACTIONS = [
  AUTHORIZATION_TOKEN_ACTION,
  ...PULL_ACTIONS,
] as const;

export interface PullPrincipal {
  roleArn: string;
  repositoryArn: string;
  context: Readonly<Record<string, ContextValue>>;
}

/** `ecr:GetAuthorizationToken` has no resource-level permissions. */
export function identityPullRequests(principal: PullPrincipal) {
  return IDENTITY_PULL_ACTIONS.map(
    (action): AccessRequest => ({
      action,
      resource:
        action === AUTHORIZATION_TOKEN_ACTION ? '*' : principal.repositoryArn,
      principalArn: principal.roleArn,
      context: principal.context,
    })
  );
}

export interface ActionDecision extends Evaluation {
  action: string;
}

/** How the role's own policies judge each action of a pull. */
export function judgeIdentityPolicies(
  policies: readonly NamedPolicy[],
  principal: PullPrincipal
): ActionDecision[] {
  return identityPullRequests(principal).map((request) => ({
    action: request.action,
    ...evaluatePolicies(policies, request, { checkPrincipal: false }),
  }));
}

export interface RepositoryPolicyJudgement {
  /** Pull actions no Allow statement of the policy grants the role. */
  notGranted: string[];
  /** Whether a managed statement allows the role every pull action. */
  grantedByManagedStatement: boolean;
  /** Foreign Deny statements that block a pull action for the role. */
  denies: StatementRef[];
  /** Foreign Denies that may block, depending on unknown condition keys. */
  possibleDenies: (StatementRef & { keys: string[] })[];
}

/**
 * Judges a stored repository policy for a pull by the role: which pull
 * actions it allows, and which foreign Deny statements stand in the way.
 */
export function judgeRepositoryPolicy(
  document: PolicyDocument | null,
  sidPrefix: string,
  principal: PullPrincipal
): RepositoryPolicyJudgement {
  const statements = document?.Statement ?? [];
  const policy: NamedPolicy = { name: 'the repository policy', statements };
  const isManaged = (ref: StatementRef) => {
    const statement = statements[ref.index];

    return statement !== undefined && isManagedStatement(statement, sidPrefix);
  };
  const evaluations = PULL_ACTIONS.map((action) => ({
    action,
    ...evaluatePolicies(
      [policy],
      {
        action,
        resource: principal.repositoryArn,
        principalArn: principal.roleArn,
        context: principal.context,
      },
      { checkPrincipal: true }
    ),
  }));
  const unique = <T extends StatementRef>(refs: T[]) =>
    refs.filter(
      (ref, position) =>
        refs.findIndex((other) => other.index === ref.index) === position
    );

  return {
    notGranted: evaluations
      .filter((evaluation) => evaluation.allowedBy.length === 0)
      .map((evaluation) => evaluation.action),
    grantedByManagedStatement: evaluations.every((evaluation) =>
      evaluation.allowedBy.some(isManaged)
    ),
    denies: unique(
      evaluations.flatMap((evaluation) =>
        evaluation.deniedBy.filter((ref) => !isManaged(ref))
      )
    ),
    possibleDenies: unique(
      evaluations.flatMap((evaluation) =>
        evaluation.undetermined.filter(
          (ref) => ref.effect === 'Deny' && !isManaged(ref)
        )
      )
    ),
  };
}
