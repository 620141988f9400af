/** Where an ECR repository lives: enough to build its ARN. */
export interface RepositoryLocation {
  partition: string;
  region: string;
  registryAccountId: string;
  repositoryName: string;
}

/** A private ECR image URI, taken apart. */
export interface EcrImageReference extends RepositoryLocation {
  uri: string;
  tag?: string;
  digest?: string;
  endpoint: 'standard' | 'fips' | 'dual-stack';
}

export type ImageRegistry = 'codebuild-curated' | 'ecr-public' | 'other';

export type ParsedImage =
  | { kind: 'ecr'; reference: EcrImageReference }
  | { kind: 'not-ecr'; registry: ImageRegistry }
  | { kind: 'invalid'; reason: string };
