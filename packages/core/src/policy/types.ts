import type { Finding } from '../findings/finding.js';

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  [element: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
  [element: string]: unknown;
}

export type ParsedPolicy =
  | { ok: true; document: PolicyDocument | null }
  | { ok: false; reason: string };

/** What the managed statement of one repository should allow. */
export interface ManagedAccess {
  organizationId: string;
  /** Exact build role ARNs; empty means no managed statement at all. */
  roleArns: readonly string[];
  /** `aws:PrincipalOrgPaths` patterns to pin, when the audience allows. */
  orgPaths?: readonly string[];
}

/** What one rendered managed statement names. */
export interface ManagedStatementInput {
  organizationId: string;
  /** Exact role ARNs or ARN patterns; at least one. */
  principalArns: readonly string[];
  orgPaths?: readonly string[];
}

export interface PolicyPlanInput {
  /** The stored policy text, or undefined when the repository has none. */
  currentText: string | undefined;
  sidPrefix: string;
  access: ManagedAccess;
  /** Defaults to ECR's limit of 10,240 characters. */
  maxLength?: number;
}

/** A group of roles of one account replaced by one ARN pattern. */
export interface Compaction {
  accountId: string;
  pattern: string;
  roleArns: string[];
}

export type PolicyPlan =
  | {
      ok: true;
      action: 'none' | 'set' | 'delete';
      before: PolicyDocument | null;
      after: PolicyDocument | null;
      /** The compact text to send with SetRepositoryPolicy. */
      afterText: string | null;
      /** `aws:PrincipalArn` values of the managed statements found. */
      grantedBefore: string[];
      /** `aws:PrincipalArn` values of the desired managed statement. */
      grantedAfter: string[];
      compactions: Compaction[];
      /** Opaque AROA/AIDA ids dropped from the managed statements. */
      staleRemoved: string[];
      /** Findings without repository context; the caller adds it. */
      findings: Finding[];
    }
  | { ok: false; finding: Finding; before: PolicyDocument | null };
