import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatShareTag,
  parseShareTag,
  SHARE_TAG_MAX_LENGTH,
  shareTargetKey,
} from '../../../packages/core/src/audience/share-tag.js';
import type { ShareTarget } from '../../../packages/core/src/audience/types.js';

const OU = 'ou-ab12-11111111';
const OTHER_OU = 'ou-ab12-22222222';
const ROOT = 'r-ab12';
const ACCOUNT = '123456789012';

describe('Function: parseShareTag', () => {
  it('returns every kind of target when given one of each', () => {
    const value = `${ACCOUNT} ${OU} org ${ROOT}`;

    const parsed = parseShareTag(value);

    expect(parsed).toEqual({
      ok: true,
      targets: [
        { kind: 'org' },
        { kind: 'root', id: ROOT },
        { kind: 'ou', id: OU },
        { kind: 'account', id: ACCOUNT },
      ],
    });
  });

  it('tolerates repeated, leading and trailing spaces', () => {
    const value = `   ${OTHER_OU}    ${OU}  `;

    const parsed = parseShareTag(value);

    expect(parsed).toEqual({
      ok: true,
      targets: [
        { kind: 'ou', id: OU },
        { kind: 'ou', id: OTHER_OU },
      ],
    });
  });

  it('returns each target once when a target is repeated', () => {
    const value = `${ACCOUNT} org ${ACCOUNT} org`;

    const parsed = parseShareTag(value);

    expect(parsed).toEqual({
      ok: true,
      targets: [{ kind: 'org' }, { kind: 'account', id: ACCOUNT }],
    });
  });

  it('returns the same targets whatever order they are written in', () => {
    const forward = parseShareTag(`${OU} ${OTHER_OU} ${ACCOUNT}`);

    const backward = parseShareTag(`${ACCOUNT} ${OTHER_OU} ${OU}`);

    expect(backward).toEqual(forward);
  });

  it('accepts ids at the longest lengths Organizations allows', () => {
    const longOu = `ou-${'a'.repeat(32)}-${'9'.repeat(32)}`;
    const longRoot = `r-${'z'.repeat(32)}`;

    const parsed = parseShareTag(`${longOu} ${longRoot}`);

    expect(parsed.ok).toBe(true);
  });

  it.each([
    ['is missing', undefined, 'no value'],
    ['is empty', '', 'names no target'],
    ['holds only spaces', '    ', 'names no target'],
  ])('refuses the value when it %s', (_case, value, expected) => {
    const parsed = parseShareTag(value);

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(expected);
  });

  it.each([
    ['an upper-case OU id', 'ou-AB12-11111111'],
    ['an OU id with a short suffix', 'ou-ab12-1111111'],
    ['an 11-digit account', '12345678901'],
    ['a 13-digit account', '1234567890123'],
    ['an account ARN', 'arn:aws:iam::123456789012:root'],
    ['a short root id', 'r-ab1'],
    ['ORG in capitals', 'ORG'],
    ['an organization id', 'o-a1b2c3d4e5'],
    ['a tab between targets', `${OU}\t${ACCOUNT}`],
  ])('refuses the value when it holds %s', (_case, token) => {
    const value = `${ACCOUNT} ${token}`;

    const parsed = parseShareTag(value);

    expect(parsed).toEqual({
      ok: false,
      reason: expect.stringContaining(JSON.stringify(token)),
    });
  });

  it('names the first unknown token when there are several', () => {
    const value = `${OU} first-bad second-bad`;

    const parsed = parseShareTag(value);

    expect(parsed.ok ? '' : parsed.reason).toMatch(/^"first-bad" is not/);
  });

  it('tells to use spaces when targets are separated by commas', () => {
    const value = `${OU},${ACCOUNT}`;

    const parsed = parseShareTag(value);

    expect(parsed.ok ? '' : parsed.reason).toBe(
      `"${OU},${ACCOUNT}" contains a comma: ECR tag values cannot hold ` +
        'commas, so separate targets with spaces'
    );
  });

  it('refuses a value longer than an ECR tag value can be', () => {
    const value = Array.from({ length: 20 }, () => ACCOUNT).join(' ');

    const parsed = parseShareTag(value);

    expect(value.length).toBeGreaterThan(SHARE_TAG_MAX_LENGTH);
    expect(parsed.ok ? '' : parsed.reason).toContain('259 characters');
  });
});

describe('Function: formatShareTag', () => {
  it('writes the value that parses back to the same targets', () => {
    const targets: ShareTarget[] = [
      { kind: 'org' },
      { kind: 'ou', id: OU },
      { kind: 'account', id: ACCOUNT },
    ];

    const value = formatShareTag(targets);

    expect(value).toBe(`org ${OU} ${ACCOUNT}`);
    expect(parseShareTag(value)).toEqual({ ok: true, targets });
  });
});

const arbitraryTarget: fc.Arbitrary<ShareTarget> = fc.oneof(
  fc.constant<ShareTarget>({ kind: 'org' }),
  fc
    .stringMatching(/^r-[0-9a-z]{4,32}$/)
    .map((id): ShareTarget => ({ kind: 'root', id })),
  fc
    .stringMatching(/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/)
    .map((id): ShareTarget => ({ kind: 'ou', id })),
  fc
    .stringMatching(/^\d{12}$/)
    .map((id): ShareTarget => ({ kind: 'account', id }))
);

const separator = fc.integer({ min: 1, max: 3 }).map((n) => ' '.repeat(n));
const margin = fc.integer({ min: 0, max: 2 }).map((n) => ' '.repeat(n));

function joinTokens(
  tokens: readonly string[],
  separators: readonly string[],
  lead: string,
  trail: string
): string {
  const body = tokens
    .map((token, index) => (index === 0 ? '' : separators[index]) + token)
    .join('');

  return `${lead}${body}${trail}`;
}

const OU_ID = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

const arbitraryBadToken = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    fc.stringMatching(/^ou-[0-9a-zA-Z]{3,33}-[0-9a-z_]{7,33}$/),
    fc.stringMatching(/^[0-9]{10,14}$/),
    fc.stringMatching(/^r-[0-9a-z,]{3,34}$/)
  )
  .filter(
    (token) =>
      !token.includes(' ') &&
      token !== 'org' &&
      !OU_ID.test(token) &&
      !ROOT_ID.test(token) &&
      !ACCOUNT_ID.test(token)
  );

describe('Properties: parseShareTag', () => {
  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constant(undefined),
          fc.anything()
        ),
        (value) => {
          const parsed = parseShareTag(value as string | undefined);

          expect(typeof parsed.ok).toBe('boolean');
        }
      ),
      { numRuns: 1000 }
    );
  });

  it('accepts every list the grammar allows, deduplicated and sorted', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryTarget, { minLength: 1, maxLength: 8 }),
        fc.array(separator, { minLength: 8, maxLength: 8 }),
        margin,
        margin,
        (targets, separators, lead, trail) => {
          const value = joinTokens(
            targets.map(shareTargetKey),
            separators,
            lead,
            trail
          );
          fc.pre(value.length <= SHARE_TAG_MAX_LENGTH);

          const parsed = parseShareTag(value);

          expect(parsed.ok).toBe(true);
          const keys = parsed.ok ? parsed.targets.map(shareTargetKey) : [];
          expect(new Set(keys)).toEqual(new Set(targets.map(shareTargetKey)));
          expect(keys.length).toBe(new Set(keys).size);
          expect(
            parseShareTag(formatShareTag(parsed.ok ? parsed.targets : []))
          ).toEqual(parsed);
        }
      ),
      { numRuns: 500 }
    );
  });

  it('refuses any list holding one bad token, and names that token', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryTarget, { maxLength: 6 }),
        arbitraryBadToken,
        fc.nat(),
        fc.array(separator, { minLength: 8, maxLength: 8 }),
        (targets, badToken, position, separators) => {
          const tokens = targets.map(shareTargetKey);
          tokens.splice(position % (tokens.length + 1), 0, badToken);
          const value = joinTokens(tokens, separators, '', '');
          fc.pre(value.length <= SHARE_TAG_MAX_LENGTH);

          const parsed = parseShareTag(value);

          expect(parsed.ok).toBe(false);
          expect(parsed.ok ? '' : parsed.reason).toContain(
            JSON.stringify(badToken)
          );
        }
      ),
      { numRuns: 500 }
    );
  });
});
