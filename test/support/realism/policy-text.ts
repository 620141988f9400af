/**
 * How ECR hands back a repository policy: not the text it was given but a
 * re-serialization, pretty-printed in the Jackson style (`"key" : value`,
 * arrays inline) with keys in another order. Callers that compare policy
 * text instead of content break on it, as they would against AWS.
 */
export function formatStoredPolicy(policy: unknown): string {
  if (!isObject(policy)) return printJackson(policy, '');
  const statements = policy.Statement;
  const reorder = (statement: unknown) =>
    isObject(statement) ? sortKeys(statement) : statement;
  const reordered = {
    ...policy,
    Statement: Array.isArray(statements)
      ? statements.map(reorder)
      : reorder(statements),
  };

  return printJackson(reordered, '');
}

function sortKeys(value: Record<string, unknown>) {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]])
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function printJackson(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';

    return `[ ${value.map((item) => printJackson(item, indent)).join(', ')} ]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{ }';
    const inner = `${indent}  `;
    const lines = entries.map(
      ([key, item]) =>
        `${inner}${JSON.stringify(key)} : ${printJackson(item, inner)}`
    );

    return `{\n${lines.join(',\n')}\n${indent}}`;
  }

  return JSON.stringify(value);
}

/** The `AWS` principals of a statement, from `Principal` and `NotPrincipal`. */
export function awsPrincipals(statement: unknown): string[] {
  if (!isObject(statement)) return [];

  return [statement.Principal, statement.NotPrincipal].flatMap((principal) => {
    if (!isObject(principal)) return [];
    const aws = principal.AWS;
    if (typeof aws === 'string') return [aws];
    if (Array.isArray(aws)) {
      return aws.filter((item): item is string => typeof item === 'string');
    }

    return [];
  });
}

/** Rewrites `AWS` principals in place, keeping a string a string. */
export function replaceAwsPrincipals(
  statement: unknown,
  replace: (principal: string) => string
) {
  if (!isObject(statement)) return;
  for (const key of ['Principal', 'NotPrincipal']) {
    const principal = statement[key];
    if (!isObject(principal)) continue;
    const aws = principal.AWS;
    if (typeof aws === 'string') principal.AWS = replace(aws);
    if (Array.isArray(aws)) {
      principal.AWS = aws.map((item: unknown) =>
        typeof item === 'string' ? replace(item) : item
      );
    }
  }
}

export function statementsOf(policy: unknown): unknown[] {
  if (!isObject(policy)) return [];
  const statements = policy.Statement;
  if (Array.isArray(statements)) return statements;

  return statements === undefined ? [] : [statements];
}
