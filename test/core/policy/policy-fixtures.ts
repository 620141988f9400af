import { readFileSync } from 'node:fs';

/** The text of a policy fixture, as ECR would return it. */
export function policyFixture(name: string): string {
  return readFileSync(
    new URL(`../../fixtures/policies/${name}.json`, import.meta.url),
    'utf8'
  );
}
