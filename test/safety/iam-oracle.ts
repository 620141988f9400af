import {
  type EvaluationResult,
  runSimulation,
} from '@cloud-copilot/iam-simulate';
import type { OrgTree } from '../../packages/core/src/index.js';

/**
 * An IAM policy evaluator this project did not write
 * (`@cloud-copilot/iam-simulate`, AGPL, so test-only) judging the policies
 * the reconciler wrote. It fills in no context keys, so the caller supplies
 * what AWS would: the organization, the principal's org path and account.
 */
export const PULL = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
] as const;

/** What a build role's own policy allows; cross-account needs both sides. */
const IDENTITY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [...PULL, 'ecr:GetAuthorizationToken', 'ecr:PutImage'],
      Resource: '*',
    },
  ],
};

export interface OraclePrincipal {
  roleArn: string;
  accountId: string;
  organizationId: string;
  /** `o-.../r-.../ou-.../` down to the account's parent. */
  orgPath: string;
}

export interface OracleRepository {
  arn: string;
  registryAccountId: string;
  policy: unknown;
}

/** Simulations run in this test file, for its closing note. */
export const oracleStats = { simulations: 0 };

export async function judge(
  repository: OracleRepository,
  principal: OraclePrincipal,
  action: string
): Promise<EvaluationResult> {
  oracleStats.simulations++;
  const result = await runSimulation(
    {
      request: {
        principal: principal.roleArn,
        action,
        resource: {
          resource: repository.arn,
          accountId: repository.registryAccountId,
        },
        contextVariables: {
          'aws:PrincipalOrgID': principal.organizationId,
          'aws:PrincipalOrgPaths': [principal.orgPath],
          'aws:PrincipalAccount': principal.accountId,
          'aws:PrincipalArn': principal.roleArn,
        },
      },
      identityPolicies: [
        { name: 'build-permissions', policy: IDENTITY_POLICY },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(repository.policy === null
        ? {}
        : { resourcePolicy: repository.policy }),
    },
    {}
  );
  if (result.resultType === 'error') {
    throw new Error(`Simulation refused: ${JSON.stringify(result.errors)}`);
  }

  return result.overallResult;
}

/** Whether the principal may run every pull action on the repository. */
export async function canPull(
  repository: OracleRepository,
  principal: OraclePrincipal
): Promise<{ all: boolean; any: boolean }> {
  const results = await Promise.all(
    PULL.map((action) => judge(repository, principal, action))
  );

  return {
    all: results.every((result) => result === 'Allowed'),
    any: results.some((result) => result === 'Allowed'),
  };
}

/** The org path AWS reports for an account: root first, its parent last. */
export function orgPathOf(tree: OrgTree, accountId: string): string {
  const chain: string[] = [];
  let current = tree.accounts.get(accountId)?.parentId;
  while (current !== undefined && !chain.includes(current)) {
    chain.unshift(current);
    if (current === tree.rootId) break;
    current = tree.organizationalUnits.get(current)?.parentId;
  }

  return `${tree.organizationId}/${chain.join('/')}/`;
}
