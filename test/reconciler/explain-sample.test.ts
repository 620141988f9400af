import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { parseConfig } from '../../packages/core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  SAMPLE_ORGANIZATION,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import {
  createReconciler,
  type Explanation,
  explainPull,
} from '../../packages/reconciler/src/index.js';
import { useMotoServer } from '../support/emulator.js';

/** Every sample project, and what explain must say of it after an apply. */
const EXPECTED: Record<string, { verdict: string; codes: string[] }> = {
  'payments-api': { verdict: 'can-pull', codes: [] },
  'payments-runner': { verdict: 'can-pull', codes: [] },
  'payments-scanner': { verdict: 'can-pull', codes: [] },
  'payments-codebuild-credentials': {
    verdict: 'cannot-pull',
    codes: ['CODEBUILD_CREDENTIALS_CROSS_ACCOUNT'],
  },
  'payments-legacy': {
    verdict: 'cannot-pull',
    codes: ['REPOSITORY_NOT_SHARED'],
  },
  // Not opted in, but its role is granted through payments-api.
  'payments-manual': { verdict: 'can-pull', codes: [] },
  'web-frontend': { verdict: 'can-pull', codes: [] },
  'web-node': { verdict: 'can-pull', codes: [] },
  'web-docs': {
    verdict: 'cannot-pull',
    codes: ['ROLE_LACKS_IDENTITY_PERMISSION'],
  },
  'web-eu-image': {
    verdict: 'cannot-pull',
    codes: ['REGION_MISMATCH', 'REGISTRY_NOT_MANAGED', 'REPOSITORY_NOT_FOUND'],
  },
  'web-curated': { verdict: 'not-ecr', codes: [] },
  'web-missing-repository': {
    verdict: 'cannot-pull',
    codes: ['REPOSITORY_NOT_FOUND'],
  },
  'web-broken-tag': { verdict: 'cannot-pull', codes: ['INVALID_SHARE_TAG'] },
  'sandbox-builder': {
    verdict: 'cannot-pull',
    codes: ['ACCOUNT_OUTSIDE_AUDIENCE'],
  },
  'sandbox-node': { verdict: 'can-pull', codes: [] },
};

describe('Function: explainPull (the demo Organization)', () => {
  const server = useMotoServer({ resetEachTest: false });
  const explanations = new Map<string, Explanation>();

  beforeAll(async () => {
    const org = await seedOrganization(server().endpoint, SAMPLE_ORGANIZATION);
    const config = parseConfig({
      registries: [{ accountId: org.accounts.registry, regions: [org.region] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    });
    const gateways = createAwsGateways({
      region: org.region,
      endpoint: server().endpoint,
      memberRoleName: MEMBER_ACCESS_ROLE,
      registryRoleName: MEMBER_ACCESS_ROLE,
    });
    await createReconciler({ config, gateways }).reconcile({ mode: 'apply' });
    const projects = SAMPLE_ORGANIZATION.accounts.flatMap((account) =>
      (account.projects ?? []).map((project) => ({
        name: project.name,
        arn: `arn:aws:codebuild:${org.region}:${org.accounts[account.name]}:project/${project.name}`,
      }))
    );
    for (const project of projects) {
      explanations.set(
        project.name,
        await explainPull({ config, gateways }, { projectArn: project.arn })
      );
    }
  });

  it('covers every project of the sample Organization', () => {
    // Act
    const explained = [...explanations.keys()].sort();

    // Assess
    expect(explained).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))(
    'names every reason for %s',
    (name, expected) => {
      // Act
      const explanation = explanations.get(name);

      // Assess
      expect({
        verdict: explanation?.verdict,
        codes: explanation?.findings.map((finding) => finding.code),
        errors: explanation?.errors,
      }).toEqual({ ...expected, errors: [] });
    }
  );

  it('gives every refusal a fix', () => {
    // Act
    const refusals = [...explanations.values()].flatMap((explanation) =>
      explanation.findings.filter((finding) => finding.severity === 'error')
    );

    // Assess
    expect(refusals.length).toBeGreaterThanOrEqual(7);
    for (const finding of refusals) expect(finding.fix).toBeTruthy();
  });
});
