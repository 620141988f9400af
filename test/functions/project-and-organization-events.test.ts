import {
  CodeBuildClient,
  CreateProjectCommand,
  DeleteProjectCommand,
} from '@aws-sdk/client-codebuild';
import { GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import {
  MoveAccountCommand,
  OrganizationsClient,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { createProjectIndex } from '../../packages/aws/src/project-index.js';
import { TABLE_NAME, useEventPath } from '../support/event-path.js';

describe('Event path: CodeBuild and Organizations events', () => {
  const path = useEventPath();

  function codebuildOf(account: string) {
    const { seeded } = path();

    return new CodeBuildClient(
      seeded.clientConfig(seeded.accounts[account] as string)
    );
  }

  function organizations() {
    const { seeded } = path();

    return new OrganizationsClient(
      seeded.clientConfig(seeded.managementAccountId)
    );
  }

  it('moves a grant from the old image repository to the new one on UpdateProject', async () => {
    // Prepare: moto has no UpdateProject, so the project is recreated.
    const { sweep, seeded, deliver, grantedRoles, roleArn } = path();
    await sweep();
    const before = await grantedRoles('payments/runner');
    const codebuild = codebuildOf('payments');
    await codebuild.send(new DeleteProjectCommand({ name: 'payments-runner' }));
    await codebuild.send(
      new CreateProjectCommand({
        name: 'payments-runner',
        source: { type: 'NO_SOURCE', location: 'none', buildspec: 'x' },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'LINUX_CONTAINER',
          computeType: 'BUILD_GENERAL1_SMALL',
          image: seeded.resolve(
            '{account:registry}.dkr.ecr.{region}.amazonaws.com/base/node:20'
          ),
          imagePullCredentialsType: 'SERVICE_ROLE',
        },
        serviceRole: roleArn('payments', 'payments-build'),
        tags: [{ key: 'ecr-pull', value: 'auto' }],
      })
    );

    // Act
    const routed = await deliver(
      'codebuild-project-change',
      'codebuild/update-project.json'
    );

    // Assess
    expect(before).toEqual([roleArn('payments', 'payments-build')]);
    expect(routed).toMatchObject({
      outcome: 'queued',
      items: [
        { repositoryArn: path().repositoryArn('base/node') },
        { repositoryArn: path().repositoryArn('payments/runner') },
      ],
    });
    expect(await grantedRoles('payments/runner')).toEqual([]);
    expect(await grantedRoles('base/node')).toContain(
      roleArn('payments', 'payments-build')
    );
  });

  it('revokes the grant of a deleted project and keeps the foreign statement', async () => {
    // Prepare
    const { sweep, deliver, grantedRoles, roleArn, ecr } = path();
    await sweep();
    const before = await grantedRoles('secure/scanner');
    await codebuildOf('payments').send(
      new DeleteProjectCommand({ name: 'payments-scanner' })
    );

    // Act
    await deliver('codebuild-project-change', 'codebuild/delete-project.json');

    // Assess
    expect(before).toEqual([roleArn('payments', 'payments-build')]);
    expect(await grantedRoles('secure/scanner')).toEqual([]);
    const { policyText } = await ecr.send(
      new GetRepositoryPolicyCommand({ repositoryName: 'secure/scanner' })
    );
    expect(
      JSON.parse(policyText ?? '{}').Statement.map(
        (statement: { Sid: string }) => statement.Sid
      )
    ).toEqual(['OnlyPlatformAdminsDelete']);
  });

  it('grants an account moved into the audience OU on MoveAccount', async () => {
    // Prepare
    const { sweep, seeded, deliver, grantedRoles, roleArn } = path();
    await sweep();
    const before = await grantedRoles('team/builder');
    await organizations().send(
      new MoveAccountCommand({
        AccountId: seeded.accounts.sandbox,
        SourceParentId: seeded.organizationalUnits.Sandbox,
        DestinationParentId: seeded.organizationalUnits.Builds,
      })
    );

    // Act
    const routed = await deliver(
      'organization-change',
      'organizations/move-account.json'
    );

    // Assess
    expect(before).not.toContain(roleArn('sandbox', 'sandbox-build'));
    expect(routed).toMatchObject({ outcome: 'queued' });
    expect(await grantedRoles('team/builder')).toContain(
      roleArn('sandbox', 'sandbox-build')
    );
  });

  it('revokes every grant of an account removed from the Organization', async () => {
    // Prepare
    const { sweep, seeded, deliver, grantedRoles, roleArn } = path();
    await sweep();
    const before = await grantedRoles('base/node');
    await organizations().send(
      new RemoveAccountFromOrganizationCommand({
        AccountId: seeded.accounts.web,
      })
    );

    // Act
    await deliver('organization-change', 'organizations/remove-account.json');

    // Assess
    expect(before).toContain(roleArn('web', 'web-build'));
    expect(await grantedRoles('base/node')).toEqual([
      roleArn('sandbox', 'sandbox-build'),
    ]);
    expect(await grantedRoles('team/builder')).toEqual([
      roleArn('payments', 'payments-build'),
    ]);
    const index = createProjectIndex({
      region: seeded.region,
      endpoint: path().proxy.endpoint,
      tableName: TABLE_NAME,
    });
    expect(
      await index.projectsOfAccount(seeded.accounts.web as string)
    ).toEqual([]);
  });

  it('indexes the projects of a new account and grants them', async () => {
    // Prepare: nothing is indexed yet; the sample names payments as new.
    const { invoke, event, drainAll, grantedRoles, roleArn } = path();

    // Act
    const routed = await invoke(
      'organization-change',
      await event('organizations/create-account-result.json')
    );
    const drained = await drainAll();

    // Assess
    expect(routed).toMatchObject({
      outcome: 'queued',
      items: [{ kind: 'refresh-account' }],
    });
    expect(drained.deadLettered).toBe(0);
    expect(await grantedRoles('team/builder')).toEqual([
      roleArn('payments', 'payments-build'),
    ]);
    expect(await grantedRoles('payments/runner')).toEqual([
      roleArn('payments', 'payments-build'),
    ]);
  });
});
