import type { Finding } from '../findings/finding.js';
import type { Compaction } from './types.js';

export function invalidPolicyFinding(reason: string): Finding {
  return {
    code: 'INVALID_REPOSITORY_POLICY',
    severity: 'error',
    message: `The repository policy cannot be read: ${reason}.`,
    fix: 'Correct or delete the repository policy; it is left untouched until then.',
  };
}

export function stalePrincipalFinding(ids: readonly string[]): Finding {
  return {
    code: 'STALE_PRINCIPAL_REMOVED',
    severity: 'info',
    message: `Removed ${ids.length} id(s) of deleted IAM principals from the managed statement: ${ids.join(', ')}.`,
  };
}

export function compactedFinding(
  maxLength: number,
  compactions: readonly Compaction[]
): Finding {
  const patterns = compactions.map(
    (step) => `${step.pattern} (${step.roleArns.length} roles)`
  );

  return {
    code: 'POLICY_COMPACTED',
    severity: 'warning',
    message: `Listing every build role would exceed ${maxLength} characters, so the roles of some accounts are granted by pattern: ${patterns.join(', ')}.`,
    fix: 'Give the build roles of each account a common path or name prefix, so each pattern covers only build roles.',
  };
}

export function foreignTooLargeFinding(
  maxLength: number,
  length: number
): Finding {
  return {
    code: 'POLICY_TOO_LARGE',
    severity: 'error',
    message: `The statements not managed by this tool already take ${length} of ${maxLength} characters; the policy is left untouched.`,
    fix: 'Shorten or remove statements of the repository policy that this tool does not manage.',
  };
}

export function grantsTooLargeFinding(
  maxLength: number,
  length: number
): Finding {
  return {
    code: 'POLICY_TOO_LARGE',
    severity: 'error',
    message: `Even with the roles of every account compacted to patterns, the policy takes ${length} of ${maxLength} characters; the policy is left untouched.`,
    fix: 'Give build roles a common path or name prefix per account, or share the repository with fewer accounts.',
  };
}
