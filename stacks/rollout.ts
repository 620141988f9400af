import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, BootstraplessSynthesizer, type Stack } from 'aws-cdk-lib';
import { memberRegionsOf } from '../packages/core/src/config/config.js';
import { APP_NAME } from './central-roles.js';
import { type DeploymentConfig, runtimeConfigOf } from './config.js';
import { ManagementStack } from './Management.js';
import { MemberStack } from './Member.js';
import { MemberStackSetStack } from './MemberStackSet.js';
import { RegistryStack } from './Registry.js';

export type RolloutTemplateKind =
  | 'member'
  | 'member-stackset'
  | 'management'
  | 'registry';

export interface RolloutTemplate {
  kind: RolloutTemplateKind;
  /** The stack and file name, e.g. `prod-ecr-pull-reconciler-Management`. */
  name: string;
  /** Where it is deployed, for people. */
  target: string;
  /** Regions it is deployed in, for the stacks deployed by hand. */
  regions: string[];
  template: Record<string, unknown>;
}

export interface RolloutSynthesis {
  templates: RolloutTemplate[];
  /** Templates not made, each with the reason. */
  skipped: string[];
}

/** Member stacks create the account roles in the central Region if they can. */
function accountRolesRegionOf(
  config: DeploymentConfig,
  regions: readonly string[]
): string {
  return regions.includes(config.region)
    ? config.region
    : (regions[0] ?? config.region);
}

/** Regions whose ECR events a registry account must forward. */
function forwardedRegionsOf(
  config: DeploymentConfig,
  accountId: string,
  regions: readonly string[]
): string[] {
  // The central stack already routes its own Region's default bus.
  const routedCentrally =
    accountId === config.centralAccountId && config.registryIsCentralAccount;

  return regions.filter(
    (region) => !(routedCentrally && region === config.region)
  );
}

/**
 * Synthesizes the templates of every account but the central one, without
 * AWS credentials: they use no assets, so no bootstrap stack is involved.
 */
export function synthesizeRollout(
  config: DeploymentConfig,
  stage: string
): RolloutSynthesis {
  const scratch = mkdtempSync(join(tmpdir(), `${APP_NAME}-rollout-`));
  try {
    return synthesizeInto(scratch, config, stage);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function synthesizeInto(
  outdir: string,
  config: DeploymentConfig,
  stage: string
): RolloutSynthesis {
  const app = new App({
    outdir,
    defaultStackSynthesizer: new BootstraplessSynthesizer(),
  });
  const prefix = `${stage}-${APP_NAME}`;
  const memberRegions = memberRegionsOf(runtimeConfigOf(config));
  const accountRolesRegion = accountRolesRegionOf(config, memberRegions);
  const planned: Omit<RolloutTemplate, 'template'>[] = [];
  const skipped: string[] = [];
  const add = (
    stack: Stack,
    kind: RolloutTemplateKind,
    target: string,
    regions: string[]
  ) => planned.push({ kind, name: stack.stackName, target, regions });

  const member = new MemberStack(app, `${prefix}-Member`, {
    config,
    stage,
    accountRolesRegion,
  });
  add(member, 'member', 'every account of the member OUs', memberRegions);

  const management = new ManagementStack(app, `${prefix}-Management`, {
    config,
    stage,
  });
  add(management, 'management', 'the management account', ['us-east-1']);

  for (const registry of config.registries) {
    const { accountId } = registry;
    const regions = forwardedRegionsOf(config, accountId, registry.regions);
    if (regions.length === 0) continue;
    const writerRole = accountId !== config.centralAccountId;
    const stack = new RegistryStack(app, `${prefix}-Registry-${accountId}`, {
      config,
      stage,
      accountId,
      regions: writerRole ? registry.regions : regions,
      writerRole,
    });
    add(stack, 'registry', `registry account ${accountId}`, regions);
  }

  // The StackSet embeds the member template, so it joins the App after a
  // first synthesis; the second one below takes it in.
  const organizationalUnitIds = config.memberOrganizationalUnitIds;
  if (organizationalUnitIds) {
    const memberTemplate = app.synth().getStackByName(member.stackName)
      .template as object;
    const stackSet = new MemberStackSetStack(app, `${prefix}-MemberStackSet`, {
      config,
      stage,
      memberTemplate,
      organizationalUnitIds,
      regions: memberRegions,
      accountRolesRegion,
    });
    const where =
      config.stackSetCallAs === 'SELF'
        ? 'the management account'
        : 'the StackSets delegated administrator account';
    add(stackSet, 'member-stackset', where, [config.region]);
  } else {
    skipped.push(
      `${prefix}-MemberStackSet: memberOrganizationalUnitIds: is needed for the member StackSet; list the OUs (or the root) whose accounts run build projects`
    );
  }
  const assembly = app.synth({ force: true });

  return {
    templates: planned.map((entry) => ({
      ...entry,
      template: assembly.getStackByName(entry.name).template,
    })),
    skipped,
  };
}
