import type { Finding } from '../findings/finding.js';
import { applyCompactions, compactionOrder } from './compaction.js';
import { DEFAULT_POLICY_VERSION, MAX_POLICY_LENGTH } from './constants.js';
import { policiesEquivalent } from './equivalence.js';
import { isManagedStatement, readManagedGrants } from './managed-grants.js';
import { renderManagedStatement, sortedUnique } from './managed-statement.js';
import { parsePolicyText } from './parse.js';
import {
  compactedFinding,
  foreignTooLargeFinding,
  grantsTooLargeFinding,
  invalidPolicyFinding,
  stalePrincipalFinding,
} from './policy-findings.js';
import type {
  Compaction,
  PolicyDocument,
  PolicyPlan,
  PolicyPlanInput,
  PolicyStatement,
} from './types.js';

/** A stored policy taken apart into what this tool owns and what it keeps. */
interface Layout {
  before: PolicyDocument | null;
  managed: PolicyStatement[];
  foreign: PolicyStatement[];
  /** Where the managed statement goes among the foreign statements. */
  slot: number;
}

interface Fitted {
  after: PolicyDocument;
  afterText: string;
  grantedAfter: string[];
  compactions: Compaction[];
}

interface TooLarge {
  tooLarge: true;
  /** The length of the most compact policy tried. */
  length: number;
}

/**
 * Plans the policy of one repository: foreign statements and the Version stay
 * exactly as they are, in order; every managed statement found is replaced by
 * one, rendered from `access`, in the place of the first. No write is planned
 * when the result means the same as what is stored.
 */
export function planPolicy(input: PolicyPlanInput): PolicyPlan {
  const parsed = parsePolicyText(input.currentText);
  if (!parsed.ok) {
    return {
      ok: false,
      finding: invalidPolicyFinding(parsed.reason),
      before: null,
    };
  }

  const layout = layOut(parsed.document, input.sidPrefix);
  const { before } = layout;
  const { granted: grantedBefore, stale: staleRemoved } = readManagedGrants(
    layout.managed
  );
  const findings: Finding[] =
    staleRemoved.length > 0 ? [stalePrincipalFinding(staleRemoved)] : [];
  const roleArns = sortedUnique(input.access.roleArns);
  const maxLength = input.maxLength ?? MAX_POLICY_LENGTH;
  const kept = { before, grantedBefore, staleRemoved, findings };

  if (roleArns.length === 0 && layout.foreign.length === 0) {
    // A stored policy without statements grants nothing, so there is nothing
    // to delete either.
    const hadStatements = (before?.Statement.length ?? 0) > 0;
    return {
      ok: true,
      ...kept,
      action: hadStatements ? 'delete' : 'none',
      after: null,
      afterText: null,
      grantedAfter: [],
      compactions: [],
    };
  }

  const foreignOnly = compose(layout);
  const foreignText = JSON.stringify(foreignOnly);
  if (foreignText.length > maxLength) {
    return {
      ok: false,
      finding: foreignTooLargeFinding(maxLength, foreignText.length),
      before,
    };
  }

  const fitted: Fitted | TooLarge =
    roleArns.length === 0
      ? {
          after: foreignOnly,
          afterText: foreignText,
          grantedAfter: [],
          compactions: [],
        }
      : fitManagedStatement(input, roleArns, maxLength, layout);
  if ('tooLarge' in fitted) {
    return {
      ok: false,
      finding: grantsTooLargeFinding(maxLength, fitted.length),
      before,
    };
  }

  if (fitted.compactions.length > 0) {
    findings.push(compactedFinding(maxLength, fitted.compactions));
  }

  return {
    ok: true,
    ...kept,
    ...fitted,
    action: policiesEquivalent(before, fitted.after) ? 'none' : 'set',
  };
}

function layOut(before: PolicyDocument | null, sidPrefix: string): Layout {
  const statements = before?.Statement ?? [];
  const isManaged = (statement: PolicyStatement) =>
    isManagedStatement(statement, sidPrefix);
  const foreign = statements.filter((statement) => !isManaged(statement));
  // Every statement before the first managed one is foreign, so its index
  // is also its place among the foreign statements.
  const firstManaged = statements.findIndex(isManaged);

  return {
    before,
    managed: statements.filter(isManaged),
    foreign,
    slot: firstManaged < 0 ? foreign.length : firstManaged,
  };
}

/**
 * The desired document: the stored one with its managed statements replaced.
 * Spreading the stored document keeps Version, Id and their order exactly,
 * including a Version that was absent.
 */
function compose(layout: Layout, statement?: PolicyStatement): PolicyDocument {
  const statements = [...layout.foreign];
  if (statement !== undefined) {
    statements.splice(layout.slot, 0, statement);
  }

  return layout.before === null
    ? { Version: DEFAULT_POLICY_VERSION, Statement: statements }
    : { ...layout.before, Statement: statements };
}

/**
 * Renders the managed statement with every role listed, then compacts one
 * account at a time until the policy fits. Stopping at the first fit keeps
 * the widening as small as this strategy allows.
 */
function fitManagedStatement(
  input: PolicyPlanInput,
  roleArns: string[],
  maxLength: number,
  layout: Layout
): Fitted | TooLarge {
  const order = compactionOrder(roleArns);
  let length = 0;
  for (let applied = 0; applied <= order.length; applied += 1) {
    const compactions = order.slice(0, applied);
    const principalArns = applyCompactions(roleArns, compactions);
    const statement = renderManagedStatement(input.sidPrefix, {
      organizationId: input.access.organizationId,
      principalArns,
      orgPaths: input.access.orgPaths,
    });
    const after = compose(layout, statement);
    const afterText = JSON.stringify(after);
    if (afterText.length <= maxLength) {
      return { after, afterText, grantedAfter: principalArns, compactions };
    }
    length = afterText.length;
  }

  return { tooLarge: true, length };
}
