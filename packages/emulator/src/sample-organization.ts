import type {
  BuildProjectSpec,
  BuildRoleSpec,
  OrganizationSpec,
} from './seed.js';

/** The Region of every resource, except the one image that shows a miss. */
export const SAMPLE_REGION = 'us-east-1';

/** Where the Region-mismatch project looks for its image. */
export const SAMPLE_OTHER_REGION = 'eu-west-1';

const SHARE_TAG = 'share-with';
const SELECT_TAG = { 'ecr-pull': 'auto' };

function image(repository: string, region = '{region}') {
  return `{account:registry}.dkr.ecr.${region}.amazonaws.com/${repository}`;
}

/** Build roles live under `/service-role/`, as the console creates them. */
function buildRole(name: string, allowsEcrPull = true): BuildRoleSpec {
  return { name, path: '/service-role/', allowsEcrPull };
}

function optedIn(
  project: Omit<BuildProjectSpec, 'tags' | 'imagePullCredentialsType'> &
    Partial<BuildProjectSpec>
): BuildProjectSpec {
  return {
    imagePullCredentialsType: 'SERVICE_ROLE',
    ...project,
    tags: { ...SELECT_TAG, ...project.tags },
  };
}

/**
 * The Organization the demo seeds: one registry account whose repositories
 * cover every kind of audience and a few broken set-ups, and build projects
 * in three member accounts across nested OUs, each one showing a grant or a
 * finding. Project descriptions say which.
 */
export const SAMPLE_ORGANIZATION: OrganizationSpec = {
  region: SAMPLE_REGION,
  organizationalUnits: [
    { name: 'Platform' },
    { name: 'Builds', children: [{ name: 'Web' }] },
    { name: 'Sandbox' },
  ],
  accounts: [
    {
      name: 'registry',
      organizationalUnit: 'Platform',
      description: 'Owns the shared build images.',
      repositories: [
        {
          name: 'team/builder',
          description: 'Shared with the Builds OU, nested OUs included.',
          tags: { [SHARE_TAG]: '{ou:Builds}', team: 'platform' },
        },
        {
          name: 'base/node',
          description: 'Shared with the whole Organization through its root.',
          tags: { [SHARE_TAG]: '{root}' },
        },
        {
          name: 'payments/runner',
          description: 'Shared with the payments account only.',
          tags: { [SHARE_TAG]: '{account:payments}' },
        },
        {
          name: 'legacy/tools',
          description: 'Not shared: no share-with tag.',
          tags: { team: 'platform' },
        },
        {
          name: 'secure/scanner',
          description:
            'Shared with the Builds OU; its policy already holds a foreign ' +
            'Deny statement that must be kept as it is.',
          tags: { [SHARE_TAG]: '{ou:Builds}' },
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OnlyPlatformAdminsDelete',
                Effect: 'Deny',
                Principal: '*',
                Action: ['ecr:DeleteRepository', 'ecr:BatchDeleteImage'],
                Condition: {
                  ArnNotLike: {
                    'aws:PrincipalArn':
                      'arn:aws:iam::{account:registry}:role/platform-admin',
                  },
                },
              },
            ],
          },
        },
        {
          name: 'broken/tag',
          description: 'Invalid share-with tag: the OU id is malformed.',
          tags: { [SHARE_TAG]: 'ou-nope' },
        },
      ],
    },
    {
      name: 'payments',
      organizationalUnit: 'Builds',
      description: 'A build team in the Builds OU.',
      roles: [buildRole('payments-build')],
      projects: [
        optedIn({
          name: 'payments-api',
          description: 'Pulls team/builder, shared with its OU: granted.',
          serviceRole: 'payments-build',
          image: image('team/builder:latest'),
        }),
        optedIn({
          name: 'payments-runner',
          description: 'Pulls payments/runner, shared with its account.',
          serviceRole: 'payments-build',
          image: image('payments/runner:1.4'),
        }),
        optedIn({
          name: 'payments-scanner',
          description:
            'Pulls secure/scanner: granted next to the foreign Deny.',
          serviceRole: 'payments-build',
          image: image('secure/scanner:latest'),
        }),
        optedIn({
          name: 'payments-codebuild-credentials',
          description:
            'Pulls a shared image with CODEBUILD credentials, which AWS ' +
            'refuses across accounts.',
          serviceRole: 'payments-build',
          image: image('team/builder:latest'),
          imagePullCredentialsType: 'CODEBUILD',
        }),
        optedIn({
          name: 'payments-legacy',
          description: 'Pulls legacy/tools, which nobody shared.',
          serviceRole: 'payments-build',
          image: image('legacy/tools:2019'),
        }),
        {
          name: 'payments-manual',
          description:
            'Pulls team/builder but is not tagged ecr-pull=auto: ignored.',
          serviceRole: 'payments-build',
          image: image('team/builder:latest'),
          imagePullCredentialsType: 'SERVICE_ROLE',
        },
      ],
    },
    {
      name: 'web',
      organizationalUnit: 'Builds/Web',
      description: 'A build team in the Web OU, nested under Builds.',
      roles: [buildRole('web-build'), buildRole('web-docs-build', false)],
      projects: [
        optedIn({
          name: 'web-frontend',
          description:
            'Pulls team/builder from a nested OU of its audience: granted.',
          serviceRole: 'web-build',
          image: image('team/builder:latest'),
        }),
        optedIn({
          name: 'web-node',
          description: 'Pulls base/node, shared with the root: granted.',
          serviceRole: 'web-build',
          image: image(
            'base/node@sha256:' +
              '4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945'
          ),
        }),
        optedIn({
          name: 'web-docs',
          description:
            "Pulls base/node, but its role's own policy lacks the ECR " +
            'pull actions.',
          serviceRole: 'web-docs-build',
          image: image('base/node:20'),
        }),
        optedIn({
          name: 'web-eu-image',
          description:
            `Builds in ${SAMPLE_REGION} from an image in ` +
            `${SAMPLE_OTHER_REGION}.`,
          serviceRole: 'web-build',
          image: image('team/builder:latest', SAMPLE_OTHER_REGION),
        }),
        optedIn({
          name: 'web-curated',
          description: 'Uses a curated CodeBuild image: nothing to grant.',
          serviceRole: 'web-build',
          image: 'aws/codebuild/standard:7.0',
        }),
        optedIn({
          name: 'web-missing-repository',
          description: 'Pulls from a repository that does not exist.',
          serviceRole: 'web-build',
          image: image('team/missing:latest'),
        }),
        optedIn({
          name: 'web-broken-tag',
          description: 'Pulls broken/tag, whose share-with tag is invalid.',
          serviceRole: 'web-build',
          image: image('broken/tag:latest'),
        }),
      ],
    },
    {
      name: 'sandbox',
      organizationalUnit: 'Sandbox',
      description: 'Experiments, outside the Builds OU.',
      roles: [buildRole('sandbox-build')],
      projects: [
        optedIn({
          name: 'sandbox-builder',
          description:
            'Pulls team/builder, shared with Builds only: refused, its ' +
            'account is outside the audience.',
          serviceRole: 'sandbox-build',
          image: image('team/builder:latest'),
        }),
        optedIn({
          name: 'sandbox-node',
          description: 'Pulls base/node, shared with the root: granted.',
          serviceRole: 'sandbox-build',
          image: image('base/node:20'),
        }),
      ],
    },
  ],
};
