import { isObject } from '../policy/json.js';
import type { PolicyStatement } from '../policy/types.js';
import { matchesArnPattern, matchesWildcard } from './wildcard.js';

/**
 * A small evaluator of IAM policy documents: Allow and Deny, Action and
 * NotAction, Resource and NotResource with wildcards, Principal and
 * NotPrincipal for role principals, and the string, ARN, Bool and Null
 * condition operators on condition keys whose values the caller knows.
 *
 * What it does not model: service control and resource control policies,
 * permissions boundaries, session policies, policy variables such as
 * `${aws:username}`, and condition keys the caller cannot know (source IP,
 * VPC, time, tags of the request). A statement whose conditions depend on
 * such a key is "undetermined": it is reported, an Allow among them counts
 * as allowing and a Deny among them does not count as denying.
 */

export type ContextValue = string | readonly string[];

export interface AccessRequest {
  /** Such as `ecr:BatchGetImage`. */
  action: string;
  /** An ARN, or `*` for actions without resource-level permissions. */
  resource: string;
  /** The role ARN asking. */
  principalArn: string;
  /**
   * Condition keys whose values are known, in lower case. A key left out is
   * unknown, not absent.
   */
  context: Readonly<Record<string, ContextValue>>;
}

export interface NamedPolicy {
  name: string;
  statements: readonly PolicyStatement[];
}

export interface StatementRef {
  policy: string;
  /** Position in the policy's Statement list, from 0. */
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

export type StatementMatch =
  | { applies: true }
  | { applies: false }
  | { applies: 'unknown'; keys: string[] };

export type Decision = 'allowed' | 'explicit-deny' | 'implicit-deny';

export interface Evaluation {
  decision: Decision;
  /** Allow statements that apply, undetermined ones included. */
  allowedBy: StatementRef[];
  /** Deny statements that apply. */
  deniedBy: StatementRef[];
  /** Statements that depend on condition keys whose values are unknown. */
  undetermined: (StatementRef & { keys: string[] })[];
}

export interface EvaluationOptions {
  /** Resource policies name principals; identity policies do not. */
  checkPrincipal: boolean;
}

/** The context keys known about a role of an Organization member account. */
export function principalContext(principal: {
  roleArn: string;
  accountId: string;
  organizationId?: string;
  orgPath?: string;
}): Record<string, ContextValue> {
  return {
    'aws:principalarn': principal.roleArn,
    'aws:principalaccount': principal.accountId,
    'aws:principaltype': 'AssumedRole',
    'aws:principalisawsservice': 'false',
    ...(principal.organizationId
      ? { 'aws:principalorgid': principal.organizationId }
      : {}),
    ...(principal.orgPath
      ? { 'aws:principalorgpaths': [principal.orgPath] }
      : {}),
  };
}

function strings(value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];

  return list.filter((item): item is string => typeof item === 'string');
}

function matchesAction(statement: PolicyStatement, action: string): boolean {
  const test = (patterns: string[]) =>
    patterns.some((pattern) =>
      matchesWildcard(pattern, action, { ignoreCase: true })
    );
  if (statement.NotAction !== undefined) {
    return !test(strings(statement.NotAction));
  }

  return test(strings(statement.Action));
}

function matchesResource(
  statement: PolicyStatement,
  resource: string
): boolean {
  const test = (patterns: string[]) =>
    patterns.some(
      (pattern) => pattern === '*' || matchesWildcard(pattern, resource)
    );
  if (statement.NotResource !== undefined) {
    return !test(strings(statement.NotResource));
  }
  // Resource policies leave Resource out: the policy's own resource.
  if (statement.Resource === undefined) return true;

  return test(strings(statement.Resource));
}

const PARTITION_AND_ACCOUNT = /^arn:(aws[a-z-]*):(?:iam|sts)::(\d{12}):/;

/**
 * A role is named by its ARN, by its account (id or `:root` ARN, which
 * stand for every principal of the account), or by `*`.
 */
function namesPrincipal(principal: unknown, roleArn: string): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  const [, partition, account] = roleArn.match(PARTITION_AND_ACCOUNT) ?? [];

  return strings(principal.AWS).some(
    (value) =>
      value === '*' ||
      value === roleArn ||
      (account !== undefined &&
        (value === account ||
          value === `arn:${partition}:iam::${account}:root`))
  );
}

function matchesPrincipal(
  statement: PolicyStatement,
  roleArn: string
): boolean {
  if (statement.NotPrincipal !== undefined) {
    return !namesPrincipal(statement.NotPrincipal, roleArn);
  }

  return namesPrincipal(statement.Principal, roleArn);
}

type Tristate = true | false | 'unknown';

function compareOne(
  operator: string,
  value: string,
  wanted: string
): boolean | undefined {
  switch (operator) {
    case 'stringequals':
    case 'stringnotequals':
    case 'arnequals':
    case 'arnnotequals':
      return value === wanted;
    case 'stringequalsignorecase':
    case 'stringnotequalsignorecase':
      return value.toLowerCase() === wanted.toLowerCase();
    case 'stringlike':
    case 'stringnotlike':
      return matchesWildcard(wanted, value);
    case 'arnlike':
    case 'arnnotlike':
      return matchesArnPattern(wanted, value);
    case 'bool':
      return value.toLowerCase() === wanted.toLowerCase();
    default:
      return undefined;
  }
}

function judgeCondition(
  operatorName: string,
  key: string,
  wanted: string[],
  context: AccessRequest['context']
): Tristate {
  let operator = operatorName.toLowerCase();
  let qualifier: 'any' | 'all' | undefined;
  if (operator.startsWith('foranyvalue:')) {
    qualifier = 'any';
    operator = operator.slice('foranyvalue:'.length);
  } else if (operator.startsWith('forallvalues:')) {
    qualifier = 'all';
    operator = operator.slice('forallvalues:'.length);
  }
  if (operator.endsWith('ifexists')) operator = operator.slice(0, -8);

  const known = context[key.toLowerCase()];
  if (known === undefined) return 'unknown';
  const values: readonly string[] = typeof known === 'string' ? [known] : known;
  if (operator === 'null') {
    const absent = values.length === 0;

    return wanted.some((item) => item.toLowerCase() === String(absent));
  }
  if (compareOne(operator, '', '') === undefined) return 'unknown';

  const negated = operator.includes('not');
  const satisfies = (value: string) => {
    const hit = wanted.some((item) => compareOne(operator, value, item));

    return negated ? !hit : hit;
  };

  return qualifier === 'all' ? values.every(satisfies) : values.some(satisfies);
}

function judgeConditions(
  condition: unknown,
  context: AccessRequest['context']
): StatementMatch {
  if (condition === undefined) return { applies: true };
  if (!isObject(condition)) return { applies: 'unknown', keys: [] };

  const unknownKeys: string[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) return { applies: 'unknown', keys: [] };
    for (const [key, value] of Object.entries(block)) {
      const verdict = judgeCondition(operator, key, strings(value), context);
      if (verdict === false) return { applies: false };
      if (verdict === 'unknown') unknownKeys.push(key);
    }
  }

  return unknownKeys.length > 0
    ? { applies: 'unknown', keys: unknownKeys }
    : { applies: true };
}

/** Whether one statement applies to the request. */
export function statementMatch(
  statement: PolicyStatement,
  request: AccessRequest,
  options: EvaluationOptions
): StatementMatch {
  if (!matchesAction(statement, request.action)) return { applies: false };
  if (!matchesResource(statement, request.resource)) {
    return { applies: false };
  }
  if (
    options.checkPrincipal &&
    !matchesPrincipal(statement, request.principalArn)
  ) {
    return { applies: false };
  }

  return judgeConditions(statement.Condition, request.context);
}

/**
 * The decision of a set of policies for one request: an explicit Deny wins,
 * then any Allow, else the implicit deny.
 */
export function evaluatePolicies(
  policies: readonly NamedPolicy[],
  request: AccessRequest,
  options: EvaluationOptions
): Evaluation {
  const allows: StatementRef[] = [];
  const denies: StatementRef[] = [];
  const undetermined: Evaluation['undetermined'] = [];

  for (const policy of policies) {
    policy.statements.forEach((statement, index) => {
      const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow';
      if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return;
      const ref: StatementRef = {
        policy: policy.name,
        index,
        ...(typeof statement.Sid === 'string' ? { sid: statement.Sid } : {}),
        effect,
      };
      const match = statementMatch(statement, request, options);
      if (match.applies === false) return;
      if (match.applies === 'unknown') {
        undetermined.push({ ...ref, keys: match.keys });
        if (effect === 'Allow') allows.push(ref);
        return;
      }
      (effect === 'Deny' ? denies : allows).push(ref);
    });
  }

  const decision: Decision =
    denies.length > 0
      ? 'explicit-deny'
      : allows.length > 0
        ? 'allowed'
        : 'implicit-deny';

  return { decision, allowedBy: allows, deniedBy: denies, undetermined };
}

/** `statement 2 (Sid PullImages) of build-permissions`, for messages. */
export function describeStatement(ref: StatementRef): string {
  const sid = ref.sid ? ` (Sid ${ref.sid})` : '';

  return `statement ${ref.index + 1}${sid} of ${ref.policy}`;
}
