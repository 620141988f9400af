import { type AwsGateways, createAwsGateways } from '../../aws/src/index.js';
import type { ReconcilerConfig } from '../../core/src/index.js';
import type { AuditLogger, Progress } from '../../reconciler/src/index.js';
import type { CliArguments } from './arguments.js';
import { defaultConfig, loadConfigFile } from './load-config.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal, so progress lines make sense. */
  interactive: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  interactive: process.stderr.isTTY === true,
};

export interface Runtime {
  config: ReconcilerConfig;
  gateways: AwsGateways;
  logger: AuditLogger;
  onProgress?: (progress: Progress) => void;
}

function stderrLogger(output: Output): AuditLogger {
  const write =
    (level: string) =>
    (message: string, attributes?: Record<string, unknown>) =>
      output.err(
        JSON.stringify({
          level,
          message,
          timestamp: new Date().toISOString(),
          ...attributes,
        })
      );

  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

function progressLine(output: Output) {
  return (progress: Progress) => {
    process.stderr.write(
      `\r${progress.phase}: ${progress.done}/${progress.total}${progress.done === progress.total ? '\n' : ''}`
    );
    void output;
  };
}

/** Configuration, gateways and logging as the options ask for. */
export async function createRuntime(
  args: CliArguments,
  output: Output
): Promise<Runtime> {
  const region = args.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const fileConfig = args.config
    ? await loadConfigFile(args.config)
    : undefined;
  const gatewaysFor = (config?: ReconcilerConfig) =>
    createAwsGateways({
      region,
      ...(args.endpoint ? { endpoint: args.endpoint } : {}),
      memberRoleName: config?.roles.member ?? 'EcrPullReconcilerReader',
      registryRoleName: config?.roles.registry ?? 'EcrPullReconcilerWriter',
      ...(config?.roles.organizations
        ? { organizationsRoleArn: config.roles.organizations }
        : {}),
    });

  let gateways = gatewaysFor(fileConfig);
  let config = fileConfig;
  if (!config) {
    config = defaultConfig(await gateways.callerAccountId(), region);
    gateways = gatewaysFor(config);
  }

  return {
    config,
    gateways,
    logger: args.verbose
      ? stderrLogger(output)
      : { info() {}, warn() {}, error() {} },
    ...(output.interactive && !args.json
      ? { onProgress: progressLine(output) }
      : {}),
  };
}
