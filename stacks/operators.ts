import * as iam from 'aws-cdk-lib/aws-iam';
import { type DeploymentConfig, PERMISSION_SET_ROLE_ARN } from './config.js';

/** `read` for plan, explain and report; `write` for apply as well. */
export type OperatorAccess = 'read' | 'write';

/**
 * Identity Center's role suffixes are 16 characters. Matching exactly 16
 * keeps `AWSReservedSSO_Ops_*` from also matching the role of a
 * permission set named `Ops_ReadOnly`; a suffix of another length would
 * fail closed, as an AccessDenied.
 */
const PERMISSION_SET_SUFFIX = '?'.repeat(16);

/** The operator roles given an access; write operators also read. */
export function operatorRoleArns(
  config: DeploymentConfig,
  access: OperatorAccess
): string[] {
  const { read, write } = config.operatorRoleArns;

  return access === 'write' ? [...write] : [...read, ...write];
}

function principalsOf(arns: string[]): iam.IPrincipal[] {
  const accounts = [...new Set(arns.map((arn) => arn.split(':')[4] ?? ''))];

  return accounts.map((account) => new iam.AccountPrincipal(account));
}

/**
 * Lets the given operator roles do `actions`, in the style of the central
 * roles' trust: their accounts as principals, the roles named in
 * `aws:PrincipalArn`. Exact ARNs and permission set patterns need
 * statements of their own, since the condition operators of one statement
 * must all match.
 */
export function operatorStatements(
  arns: string[],
  actions: string[],
  resources?: string[]
): iam.PolicyStatement[] {
  const patterns = arns.filter((arn) => PERMISSION_SET_ROLE_ARN.test(arn));
  const exact = arns.filter((arn) => !patterns.includes(arn));
  const statement = (
    sid: string,
    listed: string[],
    operator: 'ArnEquals' | 'ArnLike',
    values: string[]
  ) =>
    new iam.PolicyStatement({
      sid,
      actions,
      principals: principalsOf(listed),
      ...(resources ? { resources } : {}),
      conditions: { [operator]: { 'aws:PrincipalArn': values } },
    });
  const statements: iam.PolicyStatement[] = [];
  if (exact.length > 0) {
    statements.push(statement('OperatorRoles', exact, 'ArnEquals', exact));
  }
  if (patterns.length > 0) {
    const values = patterns.map(
      (arn) => `${arn.slice(0, -1)}${PERMISSION_SET_SUFFIX}`
    );
    statements.push(
      statement('OperatorPermissionSets', patterns, 'ArnLike', values)
    );
  }

  return statements;
}

/** For a role only operators assume; it has as many statements as needed. */
class OperatorsPrincipal extends iam.PrincipalBase {
  constructor(private readonly statements: iam.PolicyStatement[]) {
    super();
  }

  get policyFragment(): iam.PrincipalPolicyFragment {
    throw new Error('operators are granted by trust statements only');
  }

  dedupeString(): string | undefined {
    return undefined;
  }

  override addToAssumeRolePolicy(document: iam.PolicyDocument): void {
    document.addStatements(...this.statements);
  }
}

/** Trusts the configured operators only, for a role of theirs alone. */
export function operatorsPrincipal(
  config: DeploymentConfig,
  access: OperatorAccess
): iam.IPrincipal {
  const arns = operatorRoleArns(config, access);

  return new OperatorsPrincipal(operatorStatements(arns, ['sts:AssumeRole']));
}

/** Adds the configured operators to a role's trust; none, nothing added. */
export function trustOperators(
  role: iam.Role,
  config: DeploymentConfig,
  access: OperatorAccess
): void {
  const arns = operatorRoleArns(config, access);
  for (const statement of operatorStatements(arns, ['sts:AssumeRole'])) {
    role.assumeRolePolicy?.addStatements(statement);
  }
}
