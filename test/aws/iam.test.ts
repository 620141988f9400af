import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { decodePolicyDocument } from '../../packages/aws/src/iam.js';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  ACCESS_ROLE,
  REGION,
  SeededOrganization,
  seedBuildProjects,
} from './moto-org.js';

const pullPolicy = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
  ],
};
const readPolicy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' }],
};

describe('Gateway: iam', () => {
  const server = useMotoServer();

  it('reads inline and attached managed policies of a build role', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const member = await org.createAccount('member');
    const clients = await org.actAs(member);
    const roleArn = await seedBuildProjects(clients, member, []);
    await clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'build-role',
        PolicyName: 'pull',
        PolicyDocument: JSON.stringify(pullPolicy),
      })
    );
    const { Policy } = await clients.iam.send(
      new CreatePolicyCommand({
        PolicyName: 'ecr-read',
        PolicyDocument: JSON.stringify(readPolicy),
      })
    );
    await clients.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'build-role',
        PolicyArn: Policy?.Arn,
      })
    );
    const gateways = createAwsGateways({
      region: REGION,
      endpoint,
      memberRoleName: ACCESS_ROLE,
      registryRoleName: ACCESS_ROLE,
    });

    const exists = await gateways.iam.roleExists(roleArn);
    const policies = await gateways.iam.readRolePolicies(roleArn);

    expect(exists).toBe(true);
    expect(
      policies?.map((policy) => ({
        ...policy,
        document: JSON.parse(policy.document),
      }))
    ).toEqual([
      { name: 'pull', kind: 'inline', document: pullPolicy },
      { name: Policy?.Arn, kind: 'managed', document: readPolicy },
    ]);
  });

  it('answers for a role that does not exist', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const member = await org.createAccount('member');
    const gateways = createAwsGateways({
      region: REGION,
      endpoint,
      memberRoleName: ACCESS_ROLE,
      registryRoleName: ACCESS_ROLE,
    });
    const roleArn = `arn:aws:iam::${member}:role/service-role/gone`;

    const exists = await gateways.iam.roleExists(roleArn);
    const policies = await gateways.iam.readRolePolicies(roleArn);

    expect(exists).toBe(false);
    expect(policies).toBeUndefined();
  });
});

describe('Function: decodePolicyDocument', () => {
  it('decodes the URL encoding IAM applies to documents', () => {
    const encoded = encodeURIComponent(JSON.stringify(readPolicy));

    const decoded = decodePolicyDocument(encoded);

    expect(JSON.parse(decoded)).toEqual(readPolicy);
  });

  it('keeps text that is not URL encoded', () => {
    const text = '{"Sid": "100%"}';

    const decoded = decodePolicyDocument(text);

    expect(decoded).toBe(text);
  });
});
