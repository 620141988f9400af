import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseImageReference,
  parseRepositoryArn,
  partitionOfRegion,
  repositoryArnOf,
} from '../../../packages/core/src/image/image-reference.js';
import type {
  EcrEndpoint,
  EcrImageReference,
  ParsedImage,
} from '../../../packages/core/src/image/types.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const reasonOf = (parsed: ParsedImage) =>
  parsed.kind === 'invalid' ? parsed.reason : `not invalid: ${parsed.kind}`;

describe('Function: parseImageReference', () => {
  it('returns every part when given a nested repository with tag and digest', () => {
    const uri = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2@${DIGEST}`;

    const parsed = parseImageReference(uri);

    expect(parsed).toStrictEqual({
      kind: 'ecr',
      reference: {
        uri,
        partition: 'aws',
        region: 'eu-west-1',
        registryAccountId: '123456789012',
        repositoryName: 'team/app',
        tag: '1.2',
        digest: DIGEST,
        endpoint: 'standard',
      },
    });
  });

  it('returns no tag and no digest when the URI names only the repository', () => {
    const uri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/sub/app';

    const parsed = parseImageReference(uri);

    expect(parsed).toStrictEqual({
      kind: 'ecr',
      reference: {
        uri,
        partition: 'aws',
        region: 'us-east-1',
        registryAccountId: '123456789012',
        repositoryName: 'team/sub/app',
        endpoint: 'standard',
      },
    });
  });

  it('returns the digest alone when the image is pinned by digest', () => {
    const uri = `123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/app@${DIGEST}`;

    const parsed = parseImageReference(uri);

    expect(parsed.kind === 'ecr' && parsed.reference).toMatchObject({
      repositoryName: 'app',
      digest: DIGEST,
    });
    expect(parsed.kind === 'ecr' && 'tag' in parsed.reference).toBe(false);
  });

  it.each<[string, string, string, string, EcrEndpoint]>([
    [
      'FIPS',
      '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app:v1',
      'aws',
      'us-east-1',
      'fips',
    ],
    [
      'GovCloud',
      '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app:v1',
      'aws-us-gov',
      'us-gov-west-1',
      'standard',
    ],
    [
      'GovCloud FIPS',
      '123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com/app:v1',
      'aws-us-gov',
      'us-gov-east-1',
      'fips',
    ],
    [
      'dual-stack',
      '123456789012.dkr-ecr.eu-central-1.on.aws/app:v1',
      'aws',
      'eu-central-1',
      'dual-stack',
    ],
    [
      'dual-stack FIPS',
      '123456789012.dkr-ecr-fips.us-west-2.on.aws/app:v1',
      'aws',
      'us-west-2',
      'dual-stack-fips',
    ],
    [
      'GovCloud dual-stack',
      '123456789012.dkr-ecr.us-gov-west-1.on.aws/app:v1',
      'aws-us-gov',
      'us-gov-west-1',
      'dual-stack',
    ],
    [
      'China',
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v1',
      'aws-cn',
      'cn-north-1',
      'standard',
    ],
    [
      'China dual-stack',
      '123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn/app:v1',
      'aws-cn',
      'cn-northwest-1',
      'dual-stack',
    ],
    [
      'ISO',
      '123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov/app:v1',
      'aws-iso',
      'us-iso-east-1',
      'standard',
    ],
    [
      'ISO-B',
      '123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/app:v1',
      'aws-iso-b',
      'us-isob-east-1',
      'standard',
    ],
    [
      'European Sovereign Cloud',
      '123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu/app:v1',
      'aws-eusc',
      'eusc-de-east-1',
      'standard',
    ],
  ])(
    'returns the partition, Region and endpoint of a %s registry',
    (_case, uri, partition, region, endpoint) => {
      const parsed = parseImageReference(uri);

      expect(parsed).toStrictEqual({
        kind: 'ecr',
        reference: {
          uri,
          partition,
          region,
          registryAccountId: '123456789012',
          repositoryName: 'app',
          tag: 'v1',
          endpoint,
        },
      });
    }
  );

  it('reads the registry host in any case, as DNS does', () => {
    const uri = '123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM/app:Latest';

    const parsed = parseImageReference(uri);

    expect(parsed.kind === 'ecr' && parsed.reference).toMatchObject({
      uri,
      region: 'eu-west-1',
      repositoryName: 'app',
      tag: 'Latest',
    });
  });

  it.each([
    ['aws/codebuild/standard:7.0', 'codebuild-curated'],
    ['aws/codebuild/amazonlinux2-x86_64-standard:5.0', 'codebuild-curated'],
    ['aws/codebuild/windows-base:2019-3.0', 'codebuild-curated'],
    ['public.ecr.aws/docker/library/node:20', 'ecr-public'],
    ['public.ecr.aws/lambda/python:3.12', 'ecr-public'],
    ['ubuntu:22.04', 'other'],
    ['ubuntu', 'other'],
    ['library/node', 'other'],
    ['docker.io/library/python:3.12-slim', 'other'],
    ['ghcr.io/x/y', 'other'],
    ['host:5000/x', 'other'],
    ['localhost/app:dev', 'other'],
    ['registry.gitlab.com/group/project/image:tag', 'other'],
    [`quay.io/org/img@${DIGEST}`, 'other'],
    ['aws/other-team/app', 'other'],
  ])('returns not-ecr when given %s', (uri, registry) => {
    const parsed = parseImageReference(uri);

    expect(parsed).toStrictEqual({ kind: 'not-ecr', registry });
  });

  it.each<[string, unknown, string]>([
    ['a number', 42, 'must be a string, got number'],
    ['null', null, 'must be a string, got null'],
    ['undefined', undefined, 'must be a string, got undefined'],
    ['an object', { uri: 'ubuntu' }, 'must be a string, got object'],
    ['an array', ['ubuntu'], 'must be a string, got an array'],
    ['an empty string', '', 'is empty'],
    ['only spaces', '   ', 'whitespace'],
    ['a trailing newline', 'ubuntu:22.04\n', 'whitespace'],
    ['a NUL character', 'ubuntu\u0000:22.04', 'control'],
    ['a DEL character', 'ubuntu\u007f', 'control'],
    ['1025 characters', `ubuntu:${'a'.repeat(1018)}`, 'more than 1024'],
    [
      'an https scheme',
      'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/app',
      'scheme',
    ],
    ['a docker scheme', 'docker://ubuntu:22.04', 'scheme'],
  ])('returns invalid when given %s', (_case, uri, expected) => {
    const parsed = parseImageReference(uri);

    expect(reasonOf(parsed)).toContain(expected);
  });

  const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

  it.each([
    [
      'an 11-digit account',
      '12345678901.dkr.ecr.eu-west-1.amazonaws.com/app',
      "registry account '12345678901' in '12345678901.dkr.ecr.eu-west-1.amazonaws.com' must be 12 digits",
    ],
    [
      'no account',
      'dkr.ecr.eu-west-1.amazonaws.com/app',
      "ECR registry host 'dkr.ecr.eu-west-1.amazonaws.com' names no registry account",
    ],
    [
      'a Region without dashes',
      '123456789012.dkr.ecr.euwest1.amazonaws.com/app',
      "'euwest1' in ECR registry host",
    ],
    [
      'an unknown domain',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.org/app',
      "'amazonaws.org' in '123456789012.dkr.ecr.eu-west-1.amazonaws.org' is not a domain",
    ],
    [
      'a China Region under the commercial domain',
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com/app',
      "Region 'cn-north-1' is in partition aws-cn",
    ],
    [
      'a commercial Region under the China domain',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com.cn/app',
      "Region 'eu-west-1' is in partition aws",
    ],
    [
      'a FIPS host in China',
      '123456789012.dkr.ecr-fips.cn-north-1.amazonaws.com.cn/app',
      "ECR offers no 'dkr.ecr-fips' hosts under 'amazonaws.com.cn'",
    ],
    [
      'the IPv4 label under the dual-stack domain',
      '123456789012.dkr.ecr.us-east-1.on.aws/app',
      "ECR offers no 'dkr.ecr' hosts under 'on.aws'",
    ],
    [
      'an on.aws host that is no registry',
      'abcdefgh.lambda-url.us-east-1.on.aws/app',
      "'abcdefgh.lambda-url.us-east-1.on.aws' is not an ECR registry host",
    ],
    [
      'a port on the registry host',
      `${HOST}:443/app`,
      `ECR registry host '${HOST}:443' must not carry a port`,
    ],
    [
      'no repository after the host',
      HOST,
      `'${HOST}' names an ECR registry but no repository`,
    ],
    [
      'a tag but no repository',
      `${HOST}:latest`,
      'names an ECR registry but no repository',
    ],
    ['an empty repository', `${HOST}/`, 'names no repository'],
    [
      'an upper-case repository',
      `${HOST}/Team/App:1`,
      "repository name 'Team/App' must be lowercase",
    ],
    [
      'a one-letter repository',
      `${HOST}/a`,
      "repository name 'a' must be 2 to 256 characters long",
    ],
    [
      'a 257-letter repository',
      `${HOST}/${'a'.repeat(257)}`,
      'must be 2 to 256 characters long',
    ],
    [
      'an empty path segment',
      `${HOST}/team//app`,
      "repository name 'team//app' is not valid",
    ],
    [
      'a doubled separator',
      `${HOST}/team__app`,
      "repository name 'team__app' is not valid",
    ],
    ['a trailing dash', `${HOST}/app-`, "repository name 'app-' is not valid"],
    ['an empty tag', `${HOST}/app:`, "tag '' is not a valid image tag"],
    [
      'a tag starting with a dot',
      `${HOST}/app:.hidden`,
      "tag '.hidden' is not a valid image tag",
    ],
    [
      'a 129-character tag',
      `${HOST}/app:${'v'.repeat(129)}`,
      'is not a valid image tag',
    ],
    [
      'a tag with a plus',
      `${HOST}/app:1.0+build`,
      "tag '1.0+build' is not a valid image tag",
    ],
    [
      'a short digest',
      `${HOST}/app@sha256:abc`,
      "digest 'sha256:abc' must be 'sha256:' followed by 64 lowercase hex",
    ],
    ['an upper-case digest', `${HOST}/app@${DIGEST.toUpperCase()}`, 'must be'],
    [
      'a sha512 digest',
      `${HOST}/app@sha512:${'a'.repeat(128)}`,
      "digest 'sha512:",
    ],
    ['an empty digest', `${HOST}/app@`, "digest '' must be"],
    ['two digests', `${HOST}/app@${DIGEST}@${DIGEST}`, "has more than one '@'"],
  ])('returns invalid, saying why, when given %s', (_case, uri, expected) => {
    const parsed = parseImageReference(uri);

    expect(parsed.kind).toBe('invalid');
    expect(reasonOf(parsed)).toContain(expected);
  });
});

describe('Function: partitionOfRegion', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-3', 'aws'],
    ['il-central-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('returns the partition of %s', (region, partition) => {
    const result = partitionOfRegion(region);

    expect(result).toBe(partition);
  });
});

describe('Function: repositoryArnOf', () => {
  it('returns the ARN of a nested repository in the China partition', () => {
    const location = {
      partition: 'aws-cn',
      region: 'cn-north-1',
      registryAccountId: '123456789012',
      repositoryName: 'team/sub/app',
    };

    const arn = repositoryArnOf(location);

    expect(arn).toBe(
      'arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/sub/app'
    );
  });
});

describe('Function: parseRepositoryArn', () => {
  it('returns the location when given a repository ARN', () => {
    const arn = 'arn:aws:ecr:eu-west-1:123456789012:repository/team/app';

    const location = parseRepositoryArn(arn);

    expect(location).toStrictEqual({
      partition: 'aws',
      region: 'eu-west-1',
      registryAccountId: '123456789012',
      repositoryName: 'team/app',
    });
  });

  it.each([
    ['an IAM role ARN', 'arn:aws:iam::123456789012:role/build'],
    ['a short account', 'arn:aws:ecr:eu-west-1:12345678901:repository/app'],
    ['a wrong partition', 'arn:aws:ecr:cn-north-1:123456789012:repository/app'],
    ['an empty Region', 'arn:aws:ecr::123456789012:repository/app'],
    ['an upper-case name', 'arn:aws:ecr:eu-west-1:123456789012:repository/App'],
    ['no name', 'arn:aws:ecr:eu-west-1:123456789012:repository/'],
    ['an image suffix', 'arn:aws:ecr:eu-west-1:123456789012:repository/a:1'],
  ])('returns undefined when given %s', (_case, arn) => {
    const location = parseRepositoryArn(arn);

    expect(location).toBeUndefined();
  });
});

interface RegistrySite {
  partition: string;
  region: string;
  endpoint: EcrEndpoint;
  domain: string;
}

const LABEL: Record<EcrEndpoint, string> = {
  standard: 'dkr.ecr',
  fips: 'dkr.ecr-fips',
  'dual-stack': 'dkr-ecr',
  'dual-stack-fips': 'dkr-ecr-fips',
};

const regionNumber = fc.integer({ min: 1, max: 14 });

const commercialOrGovSite = fc
  .tuple(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom('us', 'eu', 'ap', 'sa', 'ca', 'me', 'af', 'il', 'mx'),
          fc.constantFrom('east', 'west', 'central', 'south', 'southeast'),
          regionNumber
        )
        .map(([area, direction, n]) => `${area}-${direction}-${n}`),
      fc
        .tuple(fc.constantFrom('east', 'west'), regionNumber)
        .map(([direction, n]) => `us-gov-${direction}-${n}`)
    ),
    fc.constantFrom<[EcrEndpoint, string]>(
      ['standard', 'amazonaws.com'],
      ['fips', 'amazonaws.com'],
      ['dual-stack', 'on.aws'],
      ['dual-stack-fips', 'on.aws']
    )
  )
  .map(
    ([region, [endpoint, domain]]): RegistrySite => ({
      partition: region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws',
      region,
      endpoint,
      domain,
    })
  );

const chinaSite = fc
  .tuple(
    fc.constantFrom('north', 'northwest'),
    regionNumber,
    fc.constantFrom<[EcrEndpoint, string]>(
      ['standard', 'amazonaws.com.cn'],
      ['dual-stack', 'on.amazonwebservices.com.cn']
    )
  )
  .map(
    ([direction, n, [endpoint, domain]]): RegistrySite => ({
      partition: 'aws-cn',
      region: `cn-${direction}-${n}`,
      endpoint,
      domain,
    })
  );

const isolatedSite = fc.constantFrom<RegistrySite>(
  {
    partition: 'aws-iso',
    region: 'us-iso-west-1',
    endpoint: 'standard',
    domain: 'c2s.ic.gov',
  },
  {
    partition: 'aws-iso-b',
    region: 'us-isob-east-1',
    endpoint: 'standard',
    domain: 'sc2s.sgov.gov',
  },
  {
    partition: 'aws-iso-e',
    region: 'eu-isoe-west-1',
    endpoint: 'standard',
    domain: 'cloud.adc-e.uk',
  },
  {
    partition: 'aws-iso-f',
    region: 'us-isof-east-1',
    endpoint: 'standard',
    domain: 'csp.hci.ic.gov',
  },
  {
    partition: 'aws-eusc',
    region: 'eusc-de-east-1',
    endpoint: 'standard',
    domain: 'amazonaws.eu',
  }
);

const arbitraryEcrImage = fc.record({
  site: fc.oneof(commercialOrGovSite, chinaSite, isolatedSite),
  registryAccountId: fc.stringMatching(/^\d{12}$/),
  repositoryName: fc
    .stringMatching(
      /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/){0,3}[a-z0-9]+(?:[._-][a-z0-9]+)*$/
    )
    .filter((name) => name.length >= 2 && name.length <= 256),
  tag: fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/), {
    nil: undefined,
  }),
  digest: fc.option(
    fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
    { nil: undefined }
  ),
  upperCaseHost: fc.boolean(),
});

type GeneratedImage =
  typeof arbitraryEcrImage extends fc.Arbitrary<infer T> ? T : never;

function uriOf(image: GeneratedImage): string {
  const { site, registryAccountId } = image;
  const host = `${registryAccountId}.${LABEL[site.endpoint]}.${site.region}.${site.domain}`;
  const tag = image.tag === undefined ? '' : `:${image.tag}`;
  const digest = image.digest === undefined ? '' : `@${image.digest}`;

  return `${image.upperCaseHost ? host.toUpperCase() : host}/${image.repositoryName}${tag}${digest}`;
}

describe('Properties: parseImageReference', () => {
  it('never throws, and always explains an invalid reference', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string(),
          fc.string({ unit: 'binary', maxLength: 1100 }),
          fc.string({
            unit: fc.constantFrom(...'0123456789abc.-_/:@'),
            maxLength: 80,
          })
        ),
        (uri) => {
          const parsed = parseImageReference(uri);

          expect(['ecr', 'not-ecr', 'invalid']).toContain(parsed.kind);
          if (parsed.kind === 'invalid') {
            expect(parsed.reason.length).toBeGreaterThan(0);
          }
        }
      ),
      { numRuns: 2000 }
    );
  });

  it('never throws when one character of a valid URI is changed', () => {
    fc.assert(
      fc.property(
        arbitraryEcrImage,
        fc.nat(),
        fc.string({ minLength: 0, maxLength: 2, unit: 'binary' }),
        (image, position, replacement) => {
          const uri = uriOf(image);
          const at = position % uri.length;
          const mutated = uri.slice(0, at) + replacement + uri.slice(at + 1);

          const parsed = parseImageReference(mutated);

          expect(['ecr', 'not-ecr', 'invalid']).toContain(parsed.kind);
        }
      ),
      { numRuns: 1000 }
    );
  });

  it('returns the parts a URI was built from', () => {
    fc.assert(
      fc.property(arbitraryEcrImage, (image) => {
        const uri = uriOf(image);

        const parsed = parseImageReference(uri);

        const expected: EcrImageReference = {
          uri,
          partition: image.site.partition,
          region: image.site.region,
          registryAccountId: image.registryAccountId,
          repositoryName: image.repositoryName,
          endpoint: image.site.endpoint,
        };
        if (image.tag !== undefined) expected.tag = image.tag;
        if (image.digest !== undefined) expected.digest = image.digest;
        expect(parsed).toStrictEqual({ kind: 'ecr', reference: expected });
        expect(parseRepositoryArn(repositoryArnOf(expected))).toStrictEqual({
          partition: expected.partition,
          region: expected.region,
          registryAccountId: expected.registryAccountId,
          repositoryName: expected.repositoryName,
        });
      }),
      { numRuns: 1000 }
    );
  });

  it('returns invalid for any URL with a scheme', () => {
    fc.assert(
      fc.property(fc.webUrl(), (url) => {
        const parsed = parseImageReference(url);

        expect(reasonOf(parsed)).toContain('scheme');
      }),
      { numRuns: 200 }
    );
  });
});
