import {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  type AwsGatewaysOptions,
  createAwsGateways,
} from '../../packages/aws/src/index.js';
import {
  parseConfig,
  parseRepositoryArn,
  type ReconcilerConfig,
  type Report,
} from '../../packages/core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  SAMPLE_ORGANIZATION,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { createReconciler } from '../../packages/reconciler/src/index.js';

/**
 * The demo's sample Organization, seeded straight into moto (no faults
 * while seeding), with the reconciler's AWS calls sent through the realism
 * proxy. Assessments read moto directly, so they never meet a fault.
 */
export interface SweepWorld {
  seeded: SeededOrganization;
  registryId: string;
  config: ReconcilerConfig;
  /** Repository names of the registry, as the sample declares them. */
  repositoryNames: string[];
}

export async function seedSweepWorld(motoEndpoint: string) {
  const seeded = await seedOrganization(motoEndpoint, SAMPLE_ORGANIZATION);
  const registryId = seeded.accounts.registry as string;
  const config = parseConfig({
    registries: [{ accountId: registryId, regions: [seeded.region] }],
    roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
  });
  const registry = SAMPLE_ORGANIZATION.accounts.find(
    (account) => account.name === 'registry'
  );
  const repositoryNames = (registry?.repositories ?? []).map(
    (repository) => repository.name
  );

  return { seeded, registryId, config, repositoryNames } satisfies SweepWorld;
}

/** A reconciler of its own (own clients and caches) over `endpoint`. */
export function reconcilerFor(
  world: SweepWorld,
  endpoint: string,
  options: Partial<AwsGatewaysOptions> = {}
) {
  const gateways = createAwsGateways({
    region: world.seeded.region,
    endpoint,
    memberRoleName: world.config.roles.member,
    registryRoleName: world.config.roles.registry,
    ...options,
  });

  return createReconciler({ config: world.config, gateways });
}

function registryClient(world: SweepWorld) {
  return new ECRClient(world.seeded.clientConfig(world.registryId));
}

/** Stored policies by repository ARN, parsed; null where there is none. */
export async function storedPolicies(
  world: SweepWorld,
  arns: readonly string[]
): Promise<Map<string, unknown>> {
  const ecr = registryClient(world);
  const entries = await Promise.all(
    arns.map(async (arn) => {
      const repositoryName = parseRepositoryArn(arn)?.repositoryName ?? '';
      const text = await ecr
        .send(new GetRepositoryPolicyCommand({ repositoryName }))
        .then(
          (output) => output.policyText,
          (error: Error) => {
            if (error.name === 'RepositoryPolicyNotFoundException') {
              return undefined;
            }
            throw error;
          }
        );

      return [arn, text ? (JSON.parse(text) as unknown) : null] as const;
    })
  );

  return new Map(entries);
}

/** Puts every planned repository back to its policy before the plan. */
export async function restoreBefore(world: SweepWorld, report: Report) {
  const ecr = registryClient(world);
  await Promise.all(
    report.repositories.map(async (plan) => {
      const repositoryName = parseRepositoryArn(plan.arn)?.repositoryName ?? '';
      if (plan.policy.before !== null) {
        await ecr.send(
          new SetRepositoryPolicyCommand({
            repositoryName,
            policyText: JSON.stringify(plan.policy.before),
          })
        );
        return;
      }
      await ecr
        .send(new DeleteRepositoryPolicyCommand({ repositoryName }))
        .catch((error: Error) => {
          if (error.name !== 'RepositoryPolicyNotFoundException') throw error;
        });
    })
  );
}

/** What the plan says each repository must hold once applied. */
export function plannedAfter(report: Report): Map<string, unknown> {
  return new Map(
    report.repositories.map((plan) => [
      plan.arn,
      plan.write === 'none' ? plan.policy.before : plan.policy.after,
    ])
  );
}

/** The role ARNs granted by the managed statement of a stored policy. */
export function grantedRoles(policy: unknown): string[] {
  const statements =
    (policy as { Statement?: Record<string, unknown>[] } | null)?.Statement ??
    [];

  return statements.flatMap((statement) => {
    const sid = statement.Sid;
    if (typeof sid !== 'string' || !sid.startsWith('EcrPullReconciler')) {
      return [];
    }
    const arnLike = (
      statement.Condition as Record<string, Record<string, unknown>>
    )?.ArnLike?.['aws:PrincipalArn'];

    return Array.isArray(arnLike) ? (arnLike as string[]) : [];
  });
}
