import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../../packages/core/src/policy/index.js';
import { policyFixture } from './policy-fixtures.js';

describe('Function: parsePolicyText', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['only whitespace', ' \n '],
  ])('returns no document when the text is %s', (_label, text) => {
    // Act
    const parsed = parsePolicyText(text);

    // Assess
    expect(parsed).toEqual({ ok: true, document: null });
  });

  it('returns the statements in order when Statement is an array', () => {
    // Prepare
    const text = policyFixture('foreign-and-managed');

    // Act
    const parsed = parsePolicyText(text);

    // Assess
    expect(parsed).toEqual({ ok: true, document: JSON.parse(text) });
  });

  it('wraps a single-object Statement in an array', () => {
    // Prepare
    const text = policyFixture('legacy-2008-single-statement');
    const { Statement: statement } = JSON.parse(text);

    // Act
    const parsed = parsePolicyText(text);

    // Assess
    expect(parsed).toEqual({
      ok: true,
      document: { Version: '2008-10-17', Statement: [statement] },
    });
  });

  it('keeps Id and an empty Statement array', () => {
    // Prepare
    const text = '{"Id":"keep-me","Version":"2012-10-17","Statement":[]}';

    // Act
    const parsed = parsePolicyText(text);

    // Assess
    expect(parsed).toEqual({
      ok: true,
      document: { Id: 'keep-me', Version: '2012-10-17', Statement: [] },
    });
  });

  it('keeps a document without Version without adding one', () => {
    // Act
    const parsed = parsePolicyText('{"Statement":[]}');

    // Assess
    expect(parsed).toEqual({ ok: true, document: { Statement: [] } });
  });

  it.each([
    ['text that is not JSON', '{"Statement": [', /not JSON/],
    ['a top-level array', '[]', /not a JSON object/],
    ['a top-level string', '"policy"', /not a JSON object/],
    ['JSON null', 'null', /not a JSON object/],
    ['no Statement', '{"Version":"2012-10-17"}', /no Statement/],
    ['a string Statement', '{"Statement":"Allow"}', /neither/],
    ['a null Statement', '{"Statement":null}', /neither/],
    ['a statement that is a string', '{"Statement":[{}, "x"]}', /1 is not/],
    ['a statement that is an array', '{"Statement":[[]]}', /0 is not/],
    ['an unknown Version', '{"Version":"2020-01-01","Statement":[]}', /2020/],
    ['a numeric Version', '{"Version":2012,"Statement":[]}', /Version/],
    ['an Id that is not a string', '{"Id":1,"Statement":[]}', /Id/],
    ['an unknown top-level key', '{"Statement":[],"Extra":1}', /Extra/],
  ])('returns a reason when given %s', (_label, text, reason) => {
    // Act
    const parsed = parsePolicyText(text);

    // Assess
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });
});
