import { POLICY_VERSIONS } from './constants.js';
import { isObject } from './json.js';
import type { ParsedPolicy, PolicyStatement } from './types.js';

const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);

/**
 * Reads a repository policy as ECR returns it. A missing or empty text means
 * the repository has no policy. Anything that is not a policy document comes
 * back as a reason, never as an exception, so one odd repository cannot stop
 * a sweep.
 */
export function parsePolicyText(text: string | undefined | null): ParsedPolicy {
  if (text === undefined || text === null || text.trim() === '') {
    return { ok: true, document: null };
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `policy text is not JSON: ${detail}` };
  }

  return readDocument(value);
}

function readDocument(value: unknown): ParsedPolicy {
  if (!isObject(value)) {
    return { ok: false, reason: 'policy is not a JSON object' };
  }

  const unknownKeys = Object.keys(value).filter(
    (key) => !DOCUMENT_KEYS.has(key)
  );
  if (unknownKeys.length > 0) {
    return {
      ok: false,
      reason: `policy has unknown top-level keys: ${unknownKeys.join(', ')}`,
    };
  }

  const { Version: version, Id: id, Statement: statement } = value;
  if (version !== undefined && !isPolicyVersion(version)) {
    return {
      ok: false,
      reason: `policy Version ${JSON.stringify(version)} is not one of ${POLICY_VERSIONS.join(', ')}`,
    };
  }
  if (id !== undefined && typeof id !== 'string') {
    return { ok: false, reason: 'policy Id is not a string' };
  }

  const statements = readStatements(statement);
  if (typeof statements === 'string') {
    return { ok: false, reason: statements };
  }

  // A single-object Statement is legal IAM; the plan works on arrays only.
  // Spreading keeps the original key order, so Version stays where it was.
  return { ok: true, document: { ...value, Statement: statements } };
}

function readStatements(value: unknown): PolicyStatement[] | string {
  if (value === undefined) {
    return 'policy has no Statement';
  }
  if (isObject(value)) {
    return [value];
  }
  if (!Array.isArray(value)) {
    return 'policy Statement is neither an object nor an array';
  }

  const position = value.findIndex((statement) => !isObject(statement));
  if (position >= 0) {
    return `policy Statement ${position} is not an object`;
  }

  return value as PolicyStatement[];
}

function isPolicyVersion(value: unknown): boolean {
  return POLICY_VERSIONS.some((version) => version === value);
}
