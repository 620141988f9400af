import type {
  EcrEndpoint,
  EcrImageReference,
  ImageRegistry,
  ParsedImage,
  RepositoryLocation,
} from './types.js';

/** Longer than any real image URI; stops pathological input early. */
const MAX_URI_LENGTH = 1024;

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const REPOSITORY_NAME =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const REPOSITORY_NAME_MIN = 2;
const REPOSITORY_NAME_MAX = 256;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/**
 * The label between the account id and the Region names the endpoint. The
 * FIPS labels come first so that `dkr.ecr` does not shadow `dkr.ecr-fips`.
 */
const ENDPOINT_LABEL =
  /(?:^|\.)(dkr\.ecr-fips|dkr-ecr-fips|dkr\.ecr|dkr-ecr)(?:\.|$)/;

const ENDPOINT_OF_LABEL: Readonly<Record<string, EcrEndpoint>> = {
  'dkr.ecr': 'standard',
  'dkr.ecr-fips': 'fips',
  'dkr-ecr': 'dual-stack',
  'dkr-ecr-fips': 'dual-stack-fips',
};

interface RegistryDomain {
  suffix: string;
  partitions: readonly string[];
  endpoints: readonly EcrEndpoint[];
}

/**
 * Where each partition serves private registries. FIPS hosts exist only in
 * the US commercial and GovCloud Regions, and dual-stack hosts live under
 * their own domains, so a label and a domain that never meet are refused.
 */
const REGISTRY_DOMAINS: readonly RegistryDomain[] = [
  {
    suffix: 'amazonaws.com',
    partitions: ['aws', 'aws-us-gov'],
    endpoints: ['standard', 'fips'],
  },
  {
    suffix: 'on.aws',
    partitions: ['aws', 'aws-us-gov'],
    endpoints: ['dual-stack', 'dual-stack-fips'],
  },
  {
    suffix: 'amazonaws.com.cn',
    partitions: ['aws-cn'],
    endpoints: ['standard'],
  },
  {
    suffix: 'on.amazonwebservices.com.cn',
    partitions: ['aws-cn'],
    endpoints: ['dual-stack'],
  },
  { suffix: 'c2s.ic.gov', partitions: ['aws-iso'], endpoints: ['standard'] },
  {
    suffix: 'sc2s.sgov.gov',
    partitions: ['aws-iso-b'],
    endpoints: ['standard'],
  },
  {
    suffix: 'cloud.adc-e.uk',
    partitions: ['aws-iso-e'],
    endpoints: ['standard'],
  },
  {
    suffix: 'csp.hci.ic.gov',
    partitions: ['aws-iso-f'],
    endpoints: ['standard'],
  },
  { suffix: 'amazonaws.eu', partitions: ['aws-eusc'], endpoints: ['standard'] },
];

const PARTITION_OF_REGION_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-iso-', 'aws-iso'],
  ['us-isob-', 'aws-iso-b'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
  ['eusc-', 'aws-eusc'],
];

const ECR_PUBLIC_HOSTS: ReadonlySet<string> = new Set([
  'public.ecr.aws',
  'ecr-public.aws.com',
]);

const CODEBUILD_CURATED_PREFIX = 'aws/codebuild/';

/** The partition a Region belongs to: `aws` unless its prefix says else. */
export function partitionOfRegion(region: string): string {
  for (const [prefix, partition] of PARTITION_OF_REGION_PREFIX) {
    if (region.startsWith(prefix)) return partition;
  }

  return 'aws';
}

export function repositoryArnOf(location: RepositoryLocation): string {
  const { partition, region, registryAccountId, repositoryName } = location;

  return `arn:${partition}:ecr:${region}:${registryAccountId}:repository/${repositoryName}`;
}

const REPOSITORY_ARN = /^arn:([a-z-]+):ecr:([^:]+):([^:]+):repository\/(.+)$/;

/** Takes a repository ARN apart; undefined unless every part is valid. */
export function parseRepositoryArn(
  arn: string
): RepositoryLocation | undefined {
  const match = REPOSITORY_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = '', region = '', account = '', name = ''] = match;
  const valid =
    REGION.test(region) &&
    partition === partitionOfRegion(region) &&
    ACCOUNT_ID.test(account) &&
    repositoryNameProblem(name) === undefined;
  if (!valid) return undefined;

  return {
    partition,
    region,
    registryAccountId: account,
    repositoryName: name,
  };
}

/**
 * Takes an image URI apart. Private ECR images come back as `ecr`, other
 * registries as `not-ecr`; a URI that is malformed, or that aims at an ECR
 * host but misses, is `invalid` with a reason a person can act on. Never
 * throws: image URIs come from build projects that anyone may edit.
 */
export function parseImageReference(uri: unknown): ParsedImage {
  if (typeof uri !== 'string') {
    return invalid(
      `image reference must be a string, got ${describeType(uri)}`
    );
  }
  const problem = uriTextProblem(uri);
  if (problem !== undefined) return invalid(problem);
  const text = uri;

  const slash = text.indexOf('/');
  const firstComponent = slash === -1 ? text : text.slice(0, slash);
  const host = firstComponent.toLowerCase();
  const hostWithoutPort = host.split(':', 1)[0] ?? '';
  if (!looksLikeEcrHost(hostWithoutPort)) {
    return { kind: 'not-ecr', registry: registryOf(text, host) };
  }
  if (slash === -1) {
    return invalid(`'${text}' names an ECR registry but no repository`);
  }
  if (host !== hostWithoutPort) {
    return invalid(
      `ECR registry host '${firstComponent}' must not carry a port`
    );
  }

  return parseEcrImage(text, host, text.slice(slash + 1));
}

function uriTextProblem(uri: string): string | undefined {
  if (uri.length === 0) return 'image reference is empty';
  if (uri.length > MAX_URI_LENGTH) {
    return `image reference is ${uri.length} characters long, more than ${MAX_URI_LENGTH}`;
  }
  if (WHITESPACE_OR_CONTROL.test(uri)) {
    return 'image reference contains whitespace or control characters';
  }
  if (SCHEME.test(uri)) {
    return `image reference '${uri}' must not start with a scheme such as https://`;
  }

  return undefined;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';

  return typeof value;
}

/**
 * A host is taken as meant for ECR when it carries a registry label or sits
 * under a dual-stack domain, so that typos there are reported rather than
 * silently treated as some other registry.
 */
function looksLikeEcrHost(host: string): boolean {
  return (
    /(?:^|\.)dkr[.-]ecr/.test(host) ||
    host.endsWith('.on.aws') ||
    host.endsWith('.on.amazonwebservices.com.cn')
  );
}

function registryOf(uri: string, host: string): ImageRegistry {
  if (
    uri.startsWith(CODEBUILD_CURATED_PREFIX) &&
    uri.length > CODEBUILD_CURATED_PREFIX.length
  ) {
    return 'codebuild-curated';
  }
  if (ECR_PUBLIC_HOSTS.has(host)) return 'ecr-public';

  return 'other';
}

interface RegistryHost {
  partition: string;
  region: string;
  registryAccountId: string;
  endpoint: EcrEndpoint;
}

function parseEcrImage(uri: string, host: string, path: string): ParsedImage {
  const registry = parseRegistryHost(host);
  if (typeof registry === 'string') return invalid(registry);

  const [nameAndTag = '', digest, ...extra] = path.split('@');
  if (extra.length > 0) {
    return invalid(`image reference '${uri}' has more than one '@'`);
  }
  if (digest !== undefined && !DIGEST.test(digest)) {
    return invalid(
      `digest '${digest}' must be 'sha256:' followed by 64 lowercase hex digits`
    );
  }
  const colon = nameAndTag.indexOf(':');
  const repositoryName = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1);
  const nameProblem = repositoryNameProblem(repositoryName);
  if (nameProblem !== undefined) return invalid(nameProblem);
  if (tag !== undefined && !TAG.test(tag)) {
    return invalid(
      `tag '${tag}' is not a valid image tag: up to 128 letters, digits, ` +
        `'_', '.' or '-', not starting with '.' or '-'`
    );
  }

  const reference: EcrImageReference = { uri, ...registry, repositoryName };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;

  return { kind: 'ecr', reference };
}

/** The host's parts, or a reason why it is not a private ECR registry. */
function parseRegistryHost(host: string): RegistryHost | string {
  const label = ENDPOINT_LABEL.exec(host);
  if (!label) {
    return (
      `'${host}' is not an ECR registry host; expected ` +
      `ACCOUNT.dkr.ecr.REGION.amazonaws.com or ACCOUNT.dkr-ecr.REGION.on.aws`
    );
  }
  const endpointLabel = label[1] ?? '';
  const endpoint = ENDPOINT_OF_LABEL[endpointLabel] ?? 'standard';
  const account = host.slice(0, label.index);
  if (account.length === 0) {
    return `ECR registry host '${host}' names no registry account`;
  }
  if (!ACCOUNT_ID.test(account)) {
    return `registry account '${account}' in '${host}' must be 12 digits`;
  }

  const rest = host.slice(label.index + label[0].length);
  const dot = rest.indexOf('.');
  const region = dot === -1 ? rest : rest.slice(0, dot);
  const suffix = dot === -1 ? '' : rest.slice(dot + 1);
  if (!REGION.test(region)) {
    return `'${region}' in ECR registry host '${host}' is not an AWS Region`;
  }
  const domain = REGISTRY_DOMAINS.find((known) => known.suffix === suffix);
  if (!domain) {
    return `'${suffix}' in '${host}' is not a domain that serves ECR registries`;
  }
  if (!domain.endpoints.includes(endpoint)) {
    return `ECR offers no '${endpointLabel}' hosts under '${suffix}'`;
  }
  const partition = partitionOfRegion(region);
  if (!domain.partitions.includes(partition)) {
    return (
      `Region '${region}' is in partition ${partition}, whose registries ` +
      `are not under '${suffix}'`
    );
  }

  return { partition, region, registryAccountId: account, endpoint };
}

function repositoryNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'image reference names no repository';
  if (name.length < REPOSITORY_NAME_MIN || name.length > REPOSITORY_NAME_MAX) {
    return (
      `repository name '${name}' must be ${REPOSITORY_NAME_MIN} to ` +
      `${REPOSITORY_NAME_MAX} characters long`
    );
  }
  if (/[A-Z]/.test(name)) {
    return `repository name '${name}' must be lowercase`;
  }
  if (!REPOSITORY_NAME.test(name)) {
    return (
      `repository name '${name}' is not valid: lowercase letters and ` +
      `digits, with single '.', '_', '-' or '/' between them`
    );
  }

  return undefined;
}

function invalid(reason: string): ParsedImage {
  return { kind: 'invalid', reason };
}
