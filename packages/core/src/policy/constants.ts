/**
 * The actions a build role needs on the repository to pull an image. The
 * fourth one, `ecr:GetAuthorizationToken`, belongs in the role's own IAM
 * policy: ECR refuses it in a repository policy.
 */
export const PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
] as const;

/** ECR's limit on `policyText` in SetRepositoryPolicy, in characters. */
export const MAX_POLICY_LENGTH = 10_240;

/** The Version written when a repository has no policy yet. */
export const DEFAULT_POLICY_VERSION = '2012-10-17';

/** Both policy language versions ECR accepts. */
export const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'] as const;
