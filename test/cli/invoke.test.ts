import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import {
  SAMPLE_ORGANIZATION,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { captureOutput } from '../support/cli-output.js';
import { useMotoServer } from '../support/emulator.js';

const VARIABLES = [
  'ECR_PULL_RECONCILER_CONFIG',
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'PROJECT_INDEX_TABLE',
  'WORK_QUEUE_URL',
];

interface InvokeOutput {
  result: { outcome?: string; items?: unknown[] };
  drain?: { succeeded: number; deadLettered: number };
  grants: { change: string; repositoryArn: string; roleArn: string }[];
}

/** Each sample, what the handler says, and the grants the drain makes. */
const SAMPLES: {
  handler: string;
  file: string;
  outcome: string;
  /** `repository: role` pairs added, against a freshly seeded emulator. */
  added: string[];
}[] = [
  {
    handler: 'codebuild-project-change',
    file: 'codebuild/create-project.json',
    outcome: 'queued',
    added: ['team/builder: payments-build'],
  },
  {
    // A hint only: payments-runner still pulls payments/runner here.
    handler: 'codebuild-project-change',
    file: 'codebuild/update-project.json',
    outcome: 'queued',
    added: ['payments/runner: payments-build'],
  },
  {
    handler: 'codebuild-project-change',
    file: 'codebuild/delete-project.json',
    outcome: 'queued',
    added: ['secure/scanner: payments-build'],
  },
  {
    // Nothing is indexed yet, so there is no grant to make.
    handler: 'ecr-image-action',
    file: 'ecr/image-push.json',
    outcome: 'queued',
    added: [],
  },
  {
    handler: 'ecr-repository-change',
    file: 'ecr/create-repository.json',
    outcome: 'queued',
    added: [],
  },
  ...[
    'ecr/tag-resource.json',
    'ecr/untag-resource.json',
    'ecr/delete-repository.json',
  ].map((file) => ({
    handler: 'ecr-repository-change',
    file,
    outcome: 'queued',
    added: [],
  })),
  {
    // A hint only: web is still a member here, so it is indexed anew.
    handler: 'organization-change',
    file: 'organizations/remove-account.json',
    outcome: 'queued',
    added: [
      'base/node: web-build',
      'base/node: web-docs-build',
      'team/builder: web-build',
    ],
  },
  {
    handler: 'organization-change',
    file: 'organizations/create-account-result.json',
    outcome: 'queued',
    added: [
      'payments/runner: payments-build',
      'secure/scanner: payments-build',
      'team/builder: payments-build',
    ],
  },
  {
    handler: 'organization-change',
    file: 'organizations/move-account.json',
    outcome: 'ignored',
    added: [],
  },
  {
    handler: 'sweep',
    file: 'sweep/scheduled.json',
    outcome: 'queued',
    added: [
      'base/node: sandbox-build',
      'base/node: web-build',
      'base/node: web-docs-build',
      'payments/runner: payments-build',
      'secure/scanner: payments-build',
      'team/builder: payments-build',
      'team/builder: web-build',
    ],
  },
];

describe('Command: invoke', () => {
  const server = useMotoServer();
  let seeded: SeededOrganization;
  const saved = new Map<string, string | undefined>();

  beforeEach(async () => {
    for (const name of VARIABLES) saved.set(name, process.env[name]);
    seeded = await seedOrganization(server().endpoint, SAMPLE_ORGANIZATION);
  });

  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  async function invoke(handler: string, file: string, ...extra: string[]) {
    const output = captureOutput();
    const code = await main(
      [
        'invoke',
        handler,
        '--event',
        `events/${file}`,
        '--endpoint',
        server().endpoint,
        '--json',
        ...extra,
      ],
      output
    );

    return { code, output };
  }

  it.each(SAMPLES)(
    'runs $handler on $file and drains to the expected grants',
    async ({ handler, file, outcome, added }) => {
      // Prepare
      const roleName = (arn: string) => arn.split('/').at(-1);

      // Act
      const { code, output } = await invoke(handler, file, '--drain');
      const printed = JSON.parse(output.stdout.join('\n')) as InvokeOutput;

      // Assess
      expect(code).toBe(0);
      expect(printed.result.outcome).toBe(outcome);
      expect(printed.drain?.deadLettered).toBe(0);
      expect(
        printed.grants
          .filter((grant) => grant.change === '+')
          .map(
            (grant) =>
              `${grant.repositoryArn.split(':repository/')[1]}: ${roleName(grant.roleArn)}`
          )
          .sort()
      ).toEqual(added);
    }
  );

  it('returns the JSON report of the manual reconcile', async () => {
    // Act
    const { code, output } = await invoke(
      'manual-reconcile',
      'manual/plan.json'
    );
    const printed = JSON.parse(output.stdout.join('\n')) as {
      result: { mode: string; organizationId: string; summary: object };
    };

    // Assess
    expect(code).toBe(0);
    expect(printed.result).toMatchObject({
      mode: 'plan',
      organizationId: seeded.organizationId,
      summary: { repositories: 6, errors: 0 },
    });
  });

  it('exits 1 and says why on a malformed event', async () => {
    // Act
    const { code, output } = await invoke(
      'ecr-image-action',
      'malformed/ecr-image-action--bad-repository-name.json'
    );
    const printed = JSON.parse(output.stdout.join('\n')) as InvokeOutput & {
      result: { reason: string };
    };

    // Assess
    expect(code).toBe(1);
    expect(printed.result.outcome).toBe('rejected');
    expect(printed.result.reason).toMatch(/repository-name/);
  });

  it('names the handlers when given an unknown one', async () => {
    // Act
    const { code, output } = await invoke('nope', 'ecr/image-push.json');

    // Assess
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toMatch(
      /Unknown handler "nope".*codebuild-project-change/
    );
  });
});
