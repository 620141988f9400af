import { parseArgs } from 'node:util';

export const USAGE = `Usage: ecr-pull-reconciler <command> [options]

Commands:
  plan      compute the policy changes, write nothing
  apply     compute the policy changes and write them
  explain   --project <arn> | --role <arn> --image <uri>: can it pull, and why not
  demo      run the whole flow against a local AWS emulator
  invoke    <handler> --event <file> [--drain]: run one Lambda handler
            locally (a fresh emulator with the sample Organization, or
            --endpoint); handlers: ecr-image-action, ecr-repository-change,
            codebuild-project-change, organization-change, reconcile-worker,
            sweep, manual-reconcile
  report    who can pull what: one HTML page (or Markdown), nothing written

Options:
  --repository <name|arn>  only this repository
  --account <id>           only the repositories of this registry account
  --config <file>          JSON configuration file
  --endpoint <url>         send every AWS call there (a local emulator)
  --region <region>        default Region (else AWS_REGION, else us-east-1)
  --json                   print one JSON report instead of text
  --detailed-exitcode      exit 2 when changes are pending (plan) or the
                           pull is refused (explain)
  --event <file>           (invoke) the event or payload, JSON; samples in
                           events/ ({account:NAME} and the like resolved)
  --drain                  (invoke) then run the worker until the queue is empty
  --verbose                audit log lines (JSON) on stderr
  --remove-managed         (plan, apply) uninstall: take out every managed
                           statement, change nothing else
  --format <html|markdown> report: the format (default html)
  --output <file>          report: write to the file instead of stdout
  -h, --help               this text

Exit codes: 0 success, 1 something could not be read or written,
2 changes pending (with --detailed-exitcode).`;

export type Command =
  | 'plan'
  | 'apply'
  | 'explain'
  | 'demo'
  | 'invoke'
  | 'report';

export interface CliArguments {
  command: Command;
  repository?: string;
  account?: string;
  config?: string;
  endpoint?: string;
  region?: string;
  project?: string;
  role?: string;
  image?: string;
  /** `invoke`: the handler's name and the event file. */
  handler?: string;
  event?: string;
  drain?: boolean;
  format?: 'html' | 'markdown';
  output?: string;
  json: boolean;
  detailedExitcode: boolean;
  verbose: boolean;
  /** Optional, so callers building arguments by hand need not name it. */
  removeManaged?: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const COMMANDS = new Set<string>(['plan', 'apply', 'explain', 'demo']);
COMMANDS.add('invoke');
COMMANDS.add('report');

export function parseArguments(argv: string[]): CliArguments | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';

  const [command, ...rest] = positionals;
  if (!command) throw new UsageError('No command given.');
  if (!COMMANDS.has(command)) {
    throw new UsageError(`Unknown command "${command}".`);
  }
  const handler = command === 'invoke' ? rest.shift() : undefined;
  if (command === 'invoke' && (!handler || !values.event)) {
    throw new UsageError('invoke takes <handler> and --event <file>.');
  }
  if (rest.length > 0) {
    throw new UsageError(`Unexpected argument "${rest[0]}".`);
  }
  if (values.account && !/^\d{12}$/.test(values.account)) {
    throw new UsageError('--account takes a 12-digit account id.');
  }
  if (values['remove-managed'] && command !== 'plan' && command !== 'apply') {
    throw new UsageError('--remove-managed goes with plan or apply.');
  }
  if (command === 'explain') {
    const byProject = values.project !== undefined;
    const byRole = values.role !== undefined || values.image !== undefined;
    if (byProject === byRole || (byRole && !(values.role && values.image))) {
      throw new UsageError(
        'explain takes either --project <arn>, or --role <arn> with --image <uri>.'
      );
    }
  }

  if (
    values.format !== undefined &&
    values.format !== 'html' &&
    values.format !== 'markdown'
  ) {
    throw new UsageError('--format takes html or markdown.');
  }
  if (command !== 'report' && (values.format || values.output)) {
    throw new UsageError('--format and --output belong to report.');
  }

  return {
    command: command as Command,
    ...(values.format === 'html' || values.format === 'markdown'
      ? { format: values.format }
      : {}),
    json: values.json ?? false,
    detailedExitcode: values['detailed-exitcode'] ?? false,
    verbose: values.verbose ?? false,
    removeManaged: values['remove-managed'] ?? false,
    ...(command === 'invoke' ? { drain: values.drain ?? false } : {}),
    ...definedOnly({
      handler,
      event: values.event,
      repository: values.repository,
      account: values.account,
      config: values.config,
      endpoint: values.endpoint,
      region: values.region,
      project: values.project,
      role: values.role,
      image: values.image,
      output: values.output,
    }),
  };
}

function definedOnly<T extends Record<string, string | undefined>>(
  values: T
): Partial<Record<keyof T, string>> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined)
  ) as Partial<Record<keyof T, string>>;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      repository: { type: 'string' },
      account: { type: 'string' },
      config: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      project: { type: 'string' },
      role: { type: 'string' },
      image: { type: 'string' },
      event: { type: 'string' },
      drain: { type: 'boolean' },
      format: { type: 'string' },
      output: { type: 'string' },
      json: { type: 'boolean' },
      'detailed-exitcode': { type: 'boolean' },
      verbose: { type: 'boolean' },
      'remove-managed': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
