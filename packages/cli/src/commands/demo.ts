import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type AwsGateways, createAwsGateways } from '../../../aws/src/index.js';
import {
  type Finding,
  parseConfig,
  parseImageReference,
  type ReconcilerConfig,
  type Report,
  repositoryArnOf,
} from '../../../core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  MOTO_VERSION,
  SAMPLE_ORGANIZATION,
  type SeededOrganization,
  seedOrganization,
  startMotoServer,
} from '../../../emulator/src/index.js';
import {
  allFindings,
  createReconciler,
  explainPull,
  hasPendingChanges,
  renderAccessHtml,
  surveyAccess,
} from '../../../reconciler/src/index.js';
import type { CliArguments } from '../arguments.js';
import type { Output } from '../runtime.js';
import { runEventPath } from './demo-events.js';

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function headline(report: Report): string {
  const { summary } = report;
  const verb = report.mode === 'plan' ? 'to change' : 'changed';

  return (
    `${summary.repositories} repositories, ${summary.changed} ${verb}, ` +
    `${summary.unchanged} unchanged, ${summary.skipped} skipped; ` +
    `grants +${summary.grantsAdded} -${summary.grantsRemoved}; ` +
    `${summary.errors} errors`
  );
}

/** One line per sample project: granted, ignored or refused, and why. */
function projectOutcomes(seeded: SeededOrganization, report: Report): string[] {
  const findings = allFindings(report);
  const lines: string[] = [];
  for (const account of SAMPLE_ORGANIZATION.accounts) {
    const accountId = seeded.accounts[account.name] as string;
    for (const project of account.projects ?? []) {
      const region = project.region ?? seeded.region;
      const arn = `arn:aws:codebuild:${region}:${accountId}:project/${project.name}`;
      const image = seeded.resolve(project.image);
      const parsed = parseImageReference(image);
      const about = findings.filter(
        (finding: Finding) => finding.projectArn === arn
      );
      const repository =
        parsed.kind === 'ecr' ? parsed.reference.repositoryName : image;
      let outcome: string;
      if (about.length > 0) {
        outcome = about.map((finding) => `refused: ${finding.code}`).join(', ');
      } else if (parsed.kind !== 'ecr') {
        outcome = 'left alone: not a private ECR image';
      } else if (project.tags?.['ecr-pull'] !== 'auto') {
        outcome = 'left alone: not opted in (no ecr-pull=auto tag)';
      } else {
        const plan = report.repositories.find(
          (candidate) => candidate.arn === repositoryArnOf(parsed.reference)
        );
        const granted = [
          ...(plan?.grants.add ?? []),
          ...(plan?.grants.keep ?? []),
        ].some((role) => role.endsWith(`/${project.serviceRole}`));
        const skippedBecause =
          plan?.status === 'skipped' ? plan.findings[0]?.code : undefined;
        outcome = granted
          ? `granted pull on ${repository}`
          : skippedBecause
            ? `refused: ${skippedBecause} (repository left untouched)`
            : 'not granted';
      }
      lines.push(`  ${account.name}/${project.name}: ${outcome}`);
      lines.push(`      ${project.description}`);
    }
  }

  return lines;
}

/** Where the demo leaves the access report, under the ignored build/. */
const REPORT_FILE = 'build/demo/access-report.html';

/** The build team's question, on the sample project that shows it best. */
async function explainOneRefusal(
  seeded: SeededOrganization,
  config: ReconcilerConfig,
  gateways: AwsGateways,
  output: Output
): Promise<void> {
  const projectArn =
    `arn:aws:codebuild:${seeded.region}:${seeded.accounts.web}` +
    ':project/web-docs';
  const explanation = await explainPull({ config, gateways }, { projectArn });
  output.out(
    `\n8. explain web-docs (why can't my build pull?): ${explanation.verdict}, ` +
      `identity judged by ${explanation.identityCheck.method}`
  );
  for (const finding of explanation.findings) {
    output.out(`      ${finding.code}: ${finding.message}`);
  }
}

/** The auditor's question: who can pull what, as one HTML page. */
async function writeAccessReport(
  config: ReconcilerConfig,
  gateways: AwsGateways,
  output: Output
): Promise<void> {
  const matrix = await surveyAccess({ config, gateways });
  const file = resolve(REPORT_FILE);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderAccessHtml(matrix), 'utf8');
  const { cells } = matrix.totals;
  output.out(
    `9. access report (who can pull what): ${cells.granted} granted, ` +
      `${cells.refused} refused; open ${file} in a browser`
  );
}

/**
 * The demo: a local emulator, the sample Organization, then plan, apply and
 * a second plan that must find nothing to do. Returns the exit code.
 */
export async function runDemo(
  _args: CliArguments,
  output: Output
): Promise<number> {
  const started = performance.now();
  // The demo runs on whatever Node.js the machine has; the SDK's notice
  // about future Node.js versions is not news to act on here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  output.out(`Starting the local AWS emulator (moto ${MOTO_VERSION}) ...`);
  const server = await startMotoServer({ log: output.err });
  try {
    output.out(`  listening on ${server.endpoint}`);
    const seeded = await seedOrganization(server.endpoint, SAMPLE_ORGANIZATION);
    const registryId = seeded.accounts.registry as string;
    output.out(
      `Seeded Organization ${seeded.organizationId}: ` +
        `${Object.keys(seeded.accounts).length} accounts, ` +
        `${Object.keys(seeded.organizationalUnits).length} OUs ` +
        `(${(seeded.elapsedMs / 1000).toFixed(1)} s). Registry account ${registryId}.`
    );

    const config = parseConfig({
      registries: [{ accountId: registryId, regions: [seeded.region] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    });
    const gateways = createAwsGateways({
      region: seeded.region,
      endpoint: server.endpoint,
      memberRoleName: config.roles.member,
      registryRoleName: config.roles.registry,
    });
    const reconciler = createReconciler({ config, gateways });

    const plan = await reconciler.reconcile({ mode: 'plan' });
    output.out(`\n1. plan:        ${headline(plan)}`);
    const apply = await reconciler.reconcile({ mode: 'apply' });
    output.out(`2. apply:       ${headline(apply)}`);
    const again = await reconciler.reconcile({ mode: 'plan' });
    const settled = !hasPendingChanges(again) && again.errors.length === 0;
    output.out(
      `3. plan again:  ${headline(again)}` +
        (settled ? ' -> nothing to do' : ' -> NOT SETTLED')
    );

    output.out('\nWhat happened, project by project:');
    output.out(projectOutcomes(seeded, apply).join('\n'));
    output.out('\nRepositories:');
    for (const repository of apply.repositories) {
      const name = repository.arn.split(':repository/')[1];
      const granted = [...repository.grants.add, ...repository.grants.keep];
      const reason = repository.findings[0]
        ? ` (${repository.findings[0].code})`
        : '';
      output.out(
        `  ${name}: ${repository.status}${reason}, ` +
          `${granted.length} role(s) granted` +
          (repository.audience.length
            ? `, shared with ${repository.audience.join(' ')}`
            : '')
      );
    }
    const eventDriven = await runEventPath(seeded, config, output);
    await explainOneRefusal(seeded, config, gateways, output);
    await writeAccessReport(config, gateways, output);
    output.out(
      `\nDemo finished in ${seconds(started)}. ` +
        'Run "ecr-pull-reconciler plan --endpoint URL" against your own emulator to explore.'
    );

    return settled && apply.errors.length === 0 && eventDriven ? 0 : 1;
  } finally {
    await server.stop();
    output.out('Emulator stopped.');
  }
}
