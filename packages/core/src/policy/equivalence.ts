import { isObject, sortedObject } from './json.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** Statement elements whose lists are sets: order and repeats mean nothing. */
const SET_ELEMENTS = new Set([
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
]);
const PRINCIPAL_ELEMENTS = new Set(['Principal', 'NotPrincipal']);
const BARE_ACCOUNT_ID = /^\d{12}$/;

/**
 * Compares two policies by what they allow and deny, not by their text: ECR
 * stores a policy with its own whitespace and key order, may collapse a
 * one-element list to a string, and expands a bare account id principal to
 * the account's root ARN. Statement order stays significant, because foreign
 * statements must be kept in the order their authors wrote them.
 */
export function policiesEquivalent(
  a: PolicyDocument | null,
  b: PolicyDocument | null
): boolean {
  if (a === null || b === null) {
    return a === b;
  }

  return canonicalText(a) === canonicalText(b);
}

function canonicalText(document: PolicyDocument): string {
  const canonical = sortedObject(document, (key, value) =>
    key === 'Statement'
      ? document.Statement.map(canonicalStatement)
      : canonicalValue(value)
  );

  return JSON.stringify(canonical);
}

function canonicalStatement(statement: PolicyStatement): unknown {
  return sortedObject(statement, (key, value) => {
    if (SET_ELEMENTS.has(key)) {
      return stringSet(value) ?? canonicalValue(value);
    }
    if (PRINCIPAL_ELEMENTS.has(key)) {
      return canonicalPrincipal(value);
    }
    if (key === 'Condition') {
      return canonicalCondition(value);
    }

    return canonicalValue(value);
  });
}

function canonicalPrincipal(principal: unknown): unknown {
  if (!isObject(principal)) {
    return canonicalValue(principal);
  }

  return sortedObject(principal, (type, value) => {
    const values = stringSet(value);
    if (values === undefined) {
      return canonicalValue(value);
    }

    return type === 'AWS' ? stringSet(values.map(expandAccountId)) : values;
  });
}

/** ECR stores a bare account id principal as the account's root ARN. */
function expandAccountId(value: string): string {
  return BARE_ACCOUNT_ID.test(value) ? `arn:aws:iam::${value}:root` : value;
}

function canonicalCondition(condition: unknown): unknown {
  if (!isObject(condition)) {
    return canonicalValue(condition);
  }

  return sortedObject(condition, (_operator, block) =>
    isObject(block)
      ? sortedObject(
          block,
          (_key, values) => conditionValues(values) ?? canonicalValue(values)
        )
      : canonicalValue(block)
  );
}

/**
 * IAM reads `true` and `"true"` alike in a condition, so scalars compare as
 * their text.
 */
function conditionValues(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every(isScalar)) {
    return undefined;
  }

  return stringSet(list.map(String));
}

function stringSet(value: unknown): string[] | undefined {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'string')) {
    return undefined;
  }

  return [...new Set(list as string[])].sort();
}

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonicalValue);
  }

  return isObject(value)
    ? sortedObject(value, (_key, item) => canonicalValue(item))
    : value;
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}
