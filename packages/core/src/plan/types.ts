import type { Finding } from '../findings/finding.js';
import type { PolicyDocument } from '../policy/types.js';

export type RepositoryStatus = 'unchanged' | 'changed' | 'skipped' | 'error';

/** A (repository, build role) pair that should be allowed to pull. */
export interface Grant {
  repositoryArn: string;
  roleArn: string;
  /** The projects that need it, for the report and the logs. */
  projectArns: string[];
}

/** The plan of one repository, in the shape of the JSON report. */
export interface RepositoryPlan {
  arn: string;
  status: RepositoryStatus;
  /** What the reconcile would do, or did, to the stored policy. */
  write: 'none' | 'set' | 'delete';
  /** The compact policy text to send when `write` is 'set'. */
  policyText: string | null;
  audience: string[];
  grants: { add: string[]; remove: string[]; keep: string[] };
  policy: { before: PolicyDocument | null; after: PolicyDocument | null };
  findings: Finding[];
}

export interface ReportError {
  /** What failed: an account, a repository ARN, a registry. */
  scope: string;
  code: string;
  message: string;
}

export interface ReportSummary {
  repositories: number;
  changed: number;
  unchanged: number;
  skipped: number;
  grantsAdded: number;
  grantsRemoved: number;
  findings: number;
  errors: number;
}

export interface Report {
  mode: 'plan' | 'apply';
  organizationId: string | null;
  summary: ReportSummary;
  repositories: RepositoryPlan[];
  /** Findings that belong to no managed repository. */
  findings: Finding[];
  errors: ReportError[];
}
