import { describe, expect, it } from 'vitest';
import {
  parseConfig,
  planRemoval,
  planRemovals,
  renderManagedStatement,
} from '../../../packages/core/src/index.js';
import { ORG_ID, repository, roleArn, WEB } from '../../support/domain.js';

const config = parseConfig({ registries: [{ accountId: '111111111111' }] });

const managed = (...roles: string[]) =>
  renderManagedStatement(config.managedSid, {
    organizationId: ORG_ID,
    principalArns: roles,
  });

const keepMe = {
  Sid: 'KeepMe',
  Effect: 'Deny',
  Principal: '*',
  Action: 'ecr:DeleteRepository',
};

describe('Function: planRemoval', () => {
  it('keeps Id, Version and foreign statements in order without the managed one', () => {
    const stored = {
      Id: 'hand-written',
      Version: '2008-10-17',
      Statement: [
        keepMe,
        managed(roleArn(WEB, 'build')),
        { ...keepMe, Sid: 'Two' },
      ],
    };

    const plan = planRemoval(
      repository('web', 'org', JSON.stringify(stored)),
      config
    );

    expect(plan.write).toBe('set');
    expect(plan.status).toBe('changed');
    expect(JSON.parse(plan.policyText ?? '')).toEqual({
      Id: 'hand-written',
      Version: '2008-10-17',
      Statement: [keepMe, { ...keepMe, Sid: 'Two' }],
    });
    expect(Object.keys(plan.policy.after ?? {})).toEqual([
      'Id',
      'Version',
      'Statement',
    ]);
    expect(plan.grants.remove).toEqual([roleArn(WEB, 'build')]);
  });

  it('deletes the policy when only managed statements were in it', () => {
    const stored = {
      Version: '2012-10-17',
      Statement: [managed(roleArn(WEB, 'a'))],
    };

    const plan = planRemoval(
      repository('web', undefined, JSON.stringify(stored)),
      config
    );

    expect(plan).toMatchObject({
      write: 'delete',
      policyText: null,
      status: 'changed',
    });
  });

  it('writes nothing when no managed statement is there', () => {
    const plans = planRemovals(
      [
        repository('b', 'org', JSON.stringify({ Statement: [keepMe] })),
        repository('a', undefined),
      ],
      config
    );

    expect(
      plans.map((plan) => [plan.arn.split('/').pop(), plan.write])
    ).toEqual([
      ['a', 'none'],
      ['b', 'none'],
    ]);
  });

  it('cleans a repository whose share-with tag is invalid', () => {
    const stored = { Statement: [managed(roleArn(WEB, 'a')), keepMe] };

    const plan = planRemoval(
      repository('web', 'ou-bad, !!', JSON.stringify(stored)),
      config
    );

    expect(plan.write).toBe('set');
    expect(plan.policy.after?.Statement).toEqual([keepMe]);
  });

  it('leaves a policy it cannot read untouched and says why', () => {
    const plan = planRemoval(
      repository('web', 'org', '{"Statement": 3}'),
      config
    );

    expect(plan).toMatchObject({
      status: 'skipped',
      write: 'none',
      policyText: null,
    });
    expect(plan.findings.map((finding) => finding.code)).toEqual([
      'INVALID_REPOSITORY_POLICY',
    ]);
  });
});
