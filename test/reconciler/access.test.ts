import { describe, expect, it } from 'vitest';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { parseConfig } from '../../packages/core/src/index.js';
import {
  type BuildProjectSpec,
  MEMBER_ACCESS_ROLE,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import {
  createReconciler,
  surveyAccess,
} from '../../packages/reconciler/src/index.js';
import { useMotoServer } from '../support/emulator.js';

const REGION = 'us-east-1';

function project(name: string): BuildProjectSpec {
  return {
    name,
    description: 'Pulls team/builder with a role lacking ECR actions.',
    serviceRole: 'team-build',
    image: '{account:registry}.dkr.ecr.{region}.amazonaws.com/team/builder:1',
    imagePullCredentialsType: 'SERVICE_ROLE',
    tags: { 'ecr-pull': 'auto' },
  };
}

describe('Function: surveyAccess', () => {
  const server = useMotoServer();

  it('refuses the granted pulls explain finds broken, once per role', async () => {
    // Prepare
    const org = await seedOrganization(server().endpoint, {
      region: REGION,
      organizationalUnits: [{ name: 'Builds' }],
      accounts: [
        {
          name: 'registry',
          repositories: [
            { name: 'team/builder', tags: { 'share-with': '{ou:Builds}' } },
          ],
        },
        {
          name: 'team',
          organizationalUnit: 'Builds',
          roles: [
            {
              name: 'team-build',
              path: '/service-role/',
              allowsEcrPull: false,
            },
          ],
          projects: [project('app'), project('docs')],
        },
      ],
    });
    const config = parseConfig({
      registries: [{ accountId: org.accounts.registry, regions: [REGION] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    });
    let simulations = 0;
    let policyReads = 0;
    const gateways = createAwsGateways({
      region: REGION,
      endpoint: server().endpoint,
      memberRoleName: MEMBER_ACCESS_ROLE,
      registryRoleName: MEMBER_ACCESS_ROLE,
      onCall: (_service, operation) => {
        if (operation === 'SimulatePrincipalPolicy') simulations++;
        if (operation === 'GetRepositoryPolicy') policyReads++;
      },
    });
    await createReconciler({ config, gateways }).reconcile({ mode: 'apply' });
    policyReads = 0;

    // Act
    const matrix = await surveyAccess({ config, gateways });

    // Assess
    const cells = matrix.rows
      .filter((row) => row.project)
      .map((row) => ({
        project: row.project?.name,
        status: row.cells[0]?.status,
        codes: row.cells[0]?.findings.map((finding) => finding.code),
        projectArn: row.cells[0]?.findings[0]?.projectArn,
      }));
    const team = org.accounts.team;
    expect(cells).toEqual([
      {
        project: 'app',
        status: 'refused',
        codes: ['ROLE_LACKS_IDENTITY_PERMISSION'],
        projectArn: `arn:aws:codebuild:${REGION}:${team}:project/app`,
      },
      {
        project: 'docs',
        status: 'refused',
        codes: ['ROLE_LACKS_IDENTITY_PERMISSION'],
        projectArn: `arn:aws:codebuild:${REGION}:${team}:project/docs`,
      },
    ]);
    expect(simulations).toBe(1);
    // The plan's read of the repository serves both explanations.
    expect(policyReads).toBe(1);
    expect(matrix.totals.findings).toEqual({
      ROLE_LACKS_IDENTITY_PERMISSION: 2,
    });
    expect(matrix.errors).toEqual([]);
  });
});
