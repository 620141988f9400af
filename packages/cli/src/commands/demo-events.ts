import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeBuildClient,
  CreateProjectCommand,
} from '@aws-sdk/client-codebuild';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { ReconcilerConfig } from '../../../core/src/index.js';
import type { SeededOrganization } from '../../../emulator/src/index.js';
import { CODEBUILD_TRUST_POLICY } from '../../../emulator/src/index.js';
import { readEventFile } from '../../../functions/src/local/event-files.js';
import { createLocalHandler } from '../../../functions/src/local/handlers.js';
import { localContext } from '../../../functions/src/local/lambda-context.js';
import type { Output } from '../runtime.js';
import {
  drainLocally,
  type LocalEventPath,
  LocalTelemetry,
  prepareLocalEventPath,
} from './invoke.js';

/** `events/` of the repository, from the sources or from dist/cli.mjs. */
function eventsFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(folder, 'events');
    if (existsSync(join(candidate, 'codebuild', 'create-project.json'))) {
      return candidate;
    }
    folder = dirname(folder);
  }

  return join(process.cwd(), 'events');
}

const NEW_PROJECT = 'web-reports';
const NEW_ROLE = 'web-reports-build';

function shortName(arn: string): string {
  return arn.split(':repository/')[1] ?? arn.split('/').at(-1) ?? arn;
}

/**
 * The event-driven half of the demo: real sample events through the
 * routers, the emulator's FIFO queue and the worker, as deployed.
 */
export async function runEventPath(
  seeded: SeededOrganization,
  config: ReconcilerConfig,
  output: Output
): Promise<boolean> {
  const path: LocalEventPath = await prepareLocalEventPath({
    endpoint: seeded.endpoint,
    region: seeded.region,
    config,
  });
  const telemetry = new LocalTelemetry(output, false);
  const folder = eventsFolder();
  const sample = (file: string) =>
    readEventFile(join(folder, file), seeded.resolve);
  const run = async (
    handler: Parameters<typeof createLocalHandler>[0],
    event: unknown
  ) => {
    telemetry.grants.length = 0;
    const routed = (await createLocalHandler(handler, { telemetry })(
      event,
      localContext(handler)
    )) as { outcome: string; reason: string };
    const drained = await drainLocally(path, telemetry);
    const changes = telemetry.grants.map(
      (grant) =>
        `      ${grant.change} ${shortName(grant.roleArn)} on ${shortName(grant.repositoryArn)}`
    );
    output.out(
      `   ${handler}: ${routed.outcome} (${routed.reason}); worker did ${drained.succeeded} items`
    );
    output.out(
      changes.length > 0 ? changes.join('\n') : '      no policy changed'
    );

    return drained.deadLettered === 0 && routed.outcome !== 'rejected';
  };

  output.out('\nEvent-driven path (routers -> SQS FIFO -> worker):');
  output.out(
    '4. scheduled sweep: indexes every account, reconciles every repository'
  );
  const swept = await run('sweep', await sample('sweep/scheduled.json'));

  const web = seeded.accounts.web as string;
  output.out(
    `5. a build team creates ${NEW_PROJECT} in account web, pulling team/builder`
  );
  const iam = new IAMClient(seeded.clientConfig(web));
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: NEW_ROLE,
      Path: '/service-role/',
      AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
    })
  );
  await new CodeBuildClient(seeded.clientConfig(web)).send(
    new CreateProjectCommand({
      name: NEW_PROJECT,
      source: {
        type: 'NO_SOURCE',
        location: 'none',
        buildspec: 'version: 0.2',
      },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        computeType: 'BUILD_GENERAL1_SMALL',
        image: seeded.resolve(
          '{account:registry}.dkr.ecr.{region}.amazonaws.com/team/builder:latest'
        ),
        imagePullCredentialsType: 'SERVICE_ROLE',
      },
      serviceRole: Role?.Arn,
      tags: [{ key: 'ecr-pull', value: 'auto' }],
    })
  );
  const created = (await sample('codebuild/create-project.json')) as {
    id: string;
    account: string;
    detail: {
      recipientAccountId: string;
      responseElements: { project: { name: string } };
    };
  };
  created.id = 'demo-create-web-reports';
  created.account = web;
  created.detail.recipientAccountId = web;
  created.detail.responseElements.project.name = NEW_PROJECT;
  const createdOk = await run('codebuild-project-change', created);

  output.out('6. the payments account moves from the Builds OU to Sandbox');
  await new OrganizationsClient(
    seeded.clientConfig(seeded.managementAccountId)
  ).send(
    new MoveAccountCommand({
      AccountId: seeded.accounts.payments,
      SourceParentId: seeded.organizationalUnits.Builds,
      DestinationParentId: seeded.organizationalUnits.Sandbox,
    })
  );
  const moved = (await sample('organizations/move-account.json')) as {
    detail: { requestParameters: Record<string, string | undefined> };
  };
  moved.detail.requestParameters = {
    accountId: seeded.accounts.payments,
    sourceParentId: seeded.organizationalUnits.Builds,
    destinationParentId: seeded.organizationalUnits.Sandbox,
  };
  const movedOk = await run('organization-change', moved);

  output.out('7. the next sweep finds nothing left to do');
  const again = await run('sweep', {
    ...((await sample('sweep/scheduled.json')) as object),
    id: 'demo-second-sweep',
  });

  return swept && createdOk && movedOk && again;
}
