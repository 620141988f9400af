/**
 * Findings are problems in the user's AWS set-up, or decisions the tool took
 * on the user's behalf. They are data with a stable code, never exceptions.
 */
export const FINDING_CODES = [
  'INVALID_SHARE_TAG',
  'SHARE_TARGET_NOT_FOUND',
  'ACCOUNT_OUTSIDE_AUDIENCE',
  'ACCOUNT_NOT_IN_ORGANIZATION',
  'CODEBUILD_CREDENTIALS_CROSS_ACCOUNT',
  'REPOSITORY_NOT_FOUND',
  'REPOSITORY_NOT_SHARED',
  'REGISTRY_NOT_MANAGED',
  'REGION_MISMATCH',
  'INVALID_IMAGE_REFERENCE',
  'PROJECT_WITHOUT_SERVICE_ROLE',
  'ROLE_LACKS_IDENTITY_PERMISSION',
  'INVALID_REPOSITORY_POLICY',
  'STALE_PRINCIPAL_REMOVED',
  'POLICY_COMPACTED',
  'POLICY_TOO_LARGE',
  'GRANT_PENDING',
  'DENIED_BY_FOREIGN_STATEMENT',
  'PROJECT_NOT_OPTED_IN',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  /** What a person should do about it, when there is something to do. */
  fix?: string;
  repositoryArn?: string;
  projectArn?: string;
  roleArn?: string;
  accountId?: string;
  image?: string;
}
