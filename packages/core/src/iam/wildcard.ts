/**
 * IAM's `*` (any run of characters) and `?` (one character) in actions,
 * resources and `...Like` condition values.
 */
export function matchesWildcard(
  pattern: string,
  value: string,
  options: { ignoreCase?: boolean } = {}
): boolean {
  const source = pattern
    .split('')
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';

      return character.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');

  return new RegExp(`^${source}$`, options.ignoreCase ? 'is' : 's').test(value);
}

/**
 * `ArnLike` compares the six colon-separated parts of an ARN one by one, so a
 * wildcard never spans a colon before the resource part.
 */
export function matchesArnPattern(pattern: string, arn: string): boolean {
  const parts = (text: string) => {
    const pieces = text.split(':');

    return pieces.length < 6
      ? undefined
      : [...pieces.slice(0, 5), pieces.slice(5).join(':')];
  };
  const wanted = parts(pattern);
  const actual = parts(arn);
  if (!wanted || !actual) return pattern === '*' || pattern === arn;

  return wanted.every((piece, index) =>
    matchesWildcard(piece, actual[index] ?? '')
  );
}
