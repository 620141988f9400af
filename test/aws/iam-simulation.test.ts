import {
  IAMClient,
  NoSuchEntityException,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createIamGateway } from '../../packages/aws/src/iam.js';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  ACCESS_ROLE,
  REGION,
  SeededOrganization,
  seedBuildProjects,
} from './moto-org.js';

const ROLE = 'arn:aws:iam::222222222222:role/service-role/payments-build';
const REPOSITORY = 'arn:aws:ecr:us-east-1:111111111111:repository/team/builder';
const REQUESTS = [
  { action: 'ecr:GetAuthorizationToken', resource: '*' },
  { action: 'ecr:BatchGetImage', resource: REPOSITORY },
  { action: 'ecr:GetDownloadUrlForLayer', resource: REPOSITORY },
];

describe('Gateway: iam, SimulatePrincipalPolicy (SDK mock)', () => {
  // The instance, not the class: the moto tests below use real clients.
  const client = new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
  });
  const iam = mockClient(client);
  const gateway = () => createIamGateway(() => client);

  afterEach(() => {
    iam.reset();
  });

  it('asks once per resource and reads every decision', async () => {
    // Prepare
    iam
      .on(SimulatePrincipalPolicyCommand, {
        ActionNames: ['ecr:GetAuthorizationToken'],
      })
      .resolves({
        EvaluationResults: [
          {
            EvalActionName: 'ecr:GetAuthorizationToken',
            EvalResourceName: '*',
            EvalDecision: 'allowed',
            MatchedStatements: [{ SourcePolicyId: 'build-permissions' }],
          },
        ],
      })
      .on(SimulatePrincipalPolicyCommand, { ResourceArns: [REPOSITORY] })
      .resolves({
        EvaluationResults: [
          {
            EvalActionName: 'ecr:BatchGetImage',
            EvalResourceName: REPOSITORY,
            EvalDecision: 'implicitDeny',
            OrganizationsDecisionDetail: { AllowedByOrganizations: true },
          },
          {
            EvalActionName: 'ecr:GetDownloadUrlForLayer',
            EvalResourceName: REPOSITORY,
            EvalDecision: 'explicitDeny',
            MatchedStatements: [{ SourcePolicyId: 'deny-pulls' }],
            PermissionsBoundaryDecisionDetail: {
              AllowedByPermissionsBoundary: false,
            },
          },
        ],
      });

    // Act
    const simulation = await gateway().simulatePrincipalPolicy(ROLE, REQUESTS);

    // Assess
    expect(simulation).toEqual({
      kind: 'simulated',
      actions: [
        {
          action: 'ecr:GetAuthorizationToken',
          resource: '*',
          decision: 'allowed',
          matchedPolicies: ['build-permissions'],
        },
        {
          action: 'ecr:BatchGetImage',
          resource: REPOSITORY,
          decision: 'implicitDeny',
          matchedPolicies: [],
          allowedByOrganizations: true,
        },
        {
          action: 'ecr:GetDownloadUrlForLayer',
          resource: REPOSITORY,
          decision: 'explicitDeny',
          matchedPolicies: ['deny-pulls'],
          allowedByPermissionsBoundary: false,
        },
      ],
    });
    const calls = iam.commandCalls(SimulatePrincipalPolicyCommand);
    expect(calls.map((call) => call.args[0].input)).toEqual([
      { PolicySourceArn: ROLE, ActionNames: ['ecr:GetAuthorizationToken'] },
      {
        PolicySourceArn: ROLE,
        ActionNames: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        ResourceArns: [REPOSITORY],
      },
    ]);
  });

  it('follows the Marker of a truncated answer', async () => {
    // Prepare
    iam
      .on(SimulatePrincipalPolicyCommand)
      .resolvesOnce({
        IsTruncated: true,
        Marker: 'page-2',
        EvaluationResults: [
          { EvalActionName: 'ecr:BatchGetImage', EvalDecision: 'allowed' },
        ],
      })
      .resolves({
        EvaluationResults: [
          {
            EvalActionName: 'ecr:GetDownloadUrlForLayer',
            EvalDecision: 'allowed',
          },
        ],
      });

    // Act
    const simulation = await gateway().simulatePrincipalPolicy(
      ROLE,
      REQUESTS.slice(1)
    );

    // Assess
    expect(
      simulation.kind === 'simulated' &&
        simulation.actions.map((action) => action.action)
    ).toEqual(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(
      iam.commandCalls(SimulatePrincipalPolicyCommand)[1]?.args[0].input.Marker
    ).toBe('page-2');
  });

  it('tells a role that does not exist from a simulator that fails', async () => {
    // Prepare
    iam
      .on(SimulatePrincipalPolicyCommand)
      .rejects(
        new NoSuchEntityException({ message: 'no role', $metadata: {} })
      );

    // Act
    const simulation = await gateway().simulatePrincipalPolicy(ROLE, REQUESTS);

    // Assess
    expect(simulation).toEqual({ kind: 'no-such-role' });
  });
});

describe('Gateway: iam, SimulatePrincipalPolicy (moto)', () => {
  const server = useMotoServer();

  it('reports the simulator unavailable at once when moto answers 500', async () => {
    // Prepare
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const member = await org.createAccount('member');
    const clients = await org.actAs(member);
    const roleArn = await seedBuildProjects(clients, member, []);
    await clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'build-role',
        PolicyName: 'pull',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }],
        }),
      })
    );
    let attempts = 0;
    const gateways = createAwsGateways({
      region: REGION,
      endpoint,
      memberRoleName: ACCESS_ROLE,
      registryRoleName: ACCESS_ROLE,
      onCall: (_service, operation) => {
        if (operation === 'SimulatePrincipalPolicy') attempts++;
      },
    });

    // Act
    const simulation = await gateways.iam.simulatePrincipalPolicy(
      roleArn,
      REQUESTS
    );
    const role = await gateways.iam.readRole(roleArn);

    // Assess
    expect(simulation.kind).toBe('unavailable');
    expect(simulation.kind === 'unavailable' && simulation.reason).toMatch(
      /HTTP 500/
    );
    expect(attempts).toBe(1);
    expect(role).toEqual({ arn: roleArn });
  });
});
