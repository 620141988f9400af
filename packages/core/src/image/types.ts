/** Where an ECR repository lives: enough to build its ARN. */
export interface RepositoryLocation {
  partition: string;
  region: string;
  registryAccountId: string;
  repositoryName: string;
}

/**
 * Which registry host a URI names: `dkr.ecr`, `dkr.ecr-fips`, `dkr-ecr` (IPv4
 * and IPv6, under `on.aws`) or `dkr-ecr-fips`. All reach the same repository.
 */
export type EcrEndpoint =
  | 'standard'
  | 'fips'
  | 'dual-stack'
  | 'dual-stack-fips';

/** A private ECR image URI, taken apart. */
export interface EcrImageReference extends RepositoryLocation {
  uri: string;
  tag?: string;
  digest?: string;
  endpoint: EcrEndpoint;
}

export type ImageRegistry = 'codebuild-curated' | 'ecr-public' | 'other';

export type ParsedImage =
  | { kind: 'ecr'; reference: EcrImageReference }
  | { kind: 'not-ecr'; registry: ImageRegistry }
  | { kind: 'invalid'; reason: string };
