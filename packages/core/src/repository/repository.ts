import type { RepositoryLocation } from '../image/types.js';

/** An ECR repository as read from its registry account. */
export interface RepositorySnapshot extends RepositoryLocation {
  arn: string;
  /** ECR tags (`Key`/`Value` in the API), as a map. */
  tags: Record<string, string>;
  /** The stored policy text, or undefined when there is none. */
  policyText: string | undefined;
}
