import type { Decision, NamedPolicy } from '../iam/policy-evaluation.js';
import { describeStatement } from '../iam/policy-evaluation.js';
import {
  IDENTITY_PULL_ACTIONS,
  judgeIdentityPolicies,
  type PullPrincipal,
} from '../iam/pull-access.js';
import { parsePolicyText } from '../policy/parse.js';

/**
 * How the role's own IAM policies were judged: by IAM's policy simulator
 * (SimulatePrincipalPolicy) in the member account, or by reading the
 * policies and evaluating them here when the simulator is not offered.
 */
export type IdentityCheckMethod = 'simulated' | 'policies-read' | 'not-run';

export interface IdentityActionResult {
  action: string;
  /** `*` for `ecr:GetAuthorizationToken`, else the repository ARN. */
  resource: string;
  decision: Decision;
  /** The policies or statements that decided, for people. */
  decidedBy: string[];
}

export interface IdentityCheck {
  method: IdentityCheckMethod;
  /** Why this method was used, in a sentence. */
  note: string;
  actions: IdentityActionResult[];
  /** What the method leaves out, so a pass is read for what it is. */
  notModelled: string[];
  /** Statements whose conditions could not be judged (policies-read). */
  undetermined: string[];
}

/** The policy simulator itself leaves these out of a principal check. */
export const SIMULATOR_LIMITS = [
  'the repository policy (judged separately by explain)',
  'condition keys whose values are not supplied to the simulator',
  'session policies',
];

/** What the project's own evaluator leaves out. */
export const EVALUATOR_LIMITS = [
  'service control and resource control policies',
  'permissions boundaries',
  'session policies',
  'policy variables (such as aws:username in a Resource)',
  'condition keys other than the principal ones (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalType)',
];

export interface SimulatedResult {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  matchedPolicies: string[];
  allowedByOrganizations?: boolean;
  allowedByPermissionsBoundary?: boolean;
  missingContextValues?: string[];
}

const FROM_SIMULATOR: Record<SimulatedResult['decision'], Decision> = {
  allowed: 'allowed',
  explicitDeny: 'explicit-deny',
  implicitDeny: 'implicit-deny',
};

/** Reads IAM's simulation into the explain's identity check. */
export function identityCheckFromSimulation(
  results: readonly SimulatedResult[]
): IdentityCheck {
  return {
    method: 'simulated',
    note: 'Judged by IAM SimulatePrincipalPolicy in the member account.',
    actions: results.map((result) => ({
      action: result.action,
      resource: result.resource,
      decision: FROM_SIMULATOR[result.decision],
      decidedBy: [
        ...result.matchedPolicies,
        ...(result.allowedByOrganizations === false
          ? ['a service control policy']
          : []),
        ...(result.allowedByPermissionsBoundary === false
          ? ['the permissions boundary']
          : []),
      ],
    })),
    notModelled: SIMULATOR_LIMITS,
    undetermined: results.flatMap((result) =>
      result.missingContextValues?.length
        ? [
            `${result.action}: the policies need ${result.missingContextValues.join(', ')}, which the simulation did not get`,
          ]
        : []
    ),
  };
}

export interface ReadRolePolicy {
  name: string;
  /** The policy document as JSON text. */
  document: string;
}

/**
 * Judges the role's own policies with the project's evaluator. A document
 * that cannot be read as a policy is left out and named in the note.
 */
export function identityCheckFromPolicies(
  policies: readonly ReadRolePolicy[],
  principal: PullPrincipal,
  why: string,
  extraLimits: readonly string[] = []
): IdentityCheck {
  const named: NamedPolicy[] = [];
  const unreadable: string[] = [];
  for (const policy of policies) {
    const parsed = parsePolicyText(policy.document);
    if (parsed.ok && parsed.document) {
      named.push({ name: policy.name, statements: parsed.document.Statement });
    } else if (!parsed.ok) {
      unreadable.push(`${policy.name} (${parsed.reason})`);
    }
  }
  const decisions = judgeIdentityPolicies(named, principal);
  const undetermined = new Set(
    decisions.flatMap((decision) =>
      decision.undetermined.map(
        (ref) => `${describeStatement(ref)}: depends on ${ref.keys.join(', ')}`
      )
    )
  );
  const skipped =
    unreadable.length > 0
      ? ` Left out, not readable as policies: ${unreadable.join('; ')}.`
      : '';

  return {
    method: 'policies-read',
    note: `Judged by reading the role's ${named.length} inline and attached policies and evaluating them here (${why}).${skipped}`,
    actions: decisions.map((decision) => ({
      action: decision.action,
      resource:
        decision.action === IDENTITY_PULL_ACTIONS[0]
          ? '*'
          : principal.repositoryArn,
      decision: decision.decision,
      decidedBy: (decision.decision === 'explicit-deny'
        ? decision.deniedBy
        : decision.allowedBy
      ).map(describeStatement),
    })),
    notModelled: [...EVALUATOR_LIMITS, ...extraLimits],
    undetermined: [...undetermined],
  };
}

/** No role to judge, or it could not be read. */
export function identityCheckNotRun(note: string): IdentityCheck {
  return {
    method: 'not-run',
    note,
    actions: [],
    notModelled: [],
    undetermined: [],
  };
}
