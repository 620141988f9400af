import { describe, expect, it } from 'vitest';
import {
  audienceHolds,
  repositoriesNeedingWrite,
  syntheticOrganization,
} from '../../bench/synthetic-organization.js';

describe('Function: syntheticOrganization', () => {
  it('builds the same Organization for the same size', () => {
    // Prepare
    const size = { accounts: 5, repositories: 12, projects: 30 };

    // Act
    const first = syntheticOrganization(size);
    const second = syntheticOrganization(size);

    // Assess
    expect(first.spec).toEqual(second.spec);
    expect(first.spec.accounts).toHaveLength(5);
    expect(first.projects).toHaveLength(30);
  });

  it('nests OUs three levels deep', () => {
    // Act
    const { organizationalUnits } = syntheticOrganization({
      accounts: 1,
      repositories: 1,
      projects: 0,
    });
    const depths = organizationalUnits.map((path) => path.split('/').length);

    // Assess
    expect(Math.max(...depths)).toBe(3);
    expect(organizationalUnits).toHaveLength(3 + 6 + 12);
  });
});

describe('Function: audienceHolds', () => {
  const parents = new Map([
    ['a', 'unit-1/team-1/squad-2'],
    ['b', 'unit-2'],
  ]);

  it('holds accounts of nested OUs but not of sibling OUs', () => {
    // Act
    const nested = audienceHolds({ kind: 'ou', path: 'unit-1' }, 'a', parents);
    const sibling = audienceHolds({ kind: 'ou', path: 'unit-1' }, 'b', parents);
    const prefix = audienceHolds({ kind: 'ou', path: 'unit' }, 'b', parents);

    // Assess
    expect(nested).toBe(true);
    expect(sibling).toBe(false);
    expect(prefix).toBe(false);
  });

  it('never holds anyone for an invalid or missing tag', () => {
    // Act
    const invalid = audienceHolds({ kind: 'invalid' }, 'a', parents);
    const untagged = audienceHolds({ kind: 'untagged' }, 'a', parents);

    // Assess
    expect(invalid).toBe(false);
    expect(untagged).toBe(false);
  });
});

describe('Function: repositoriesNeedingWrite', () => {
  it('counts repositories with an opted-in project inside their audience', () => {
    // Prepare: one member in unit-1; repositories 0-3 are shared with the
    // whole org, 4 and 5 with unit-2 and unit-3, 6 with a leaf OU of
    // unit-2, 7 with the member itself, 8 has an invalid tag, 9 none.
    const organization = syntheticOrganization({
      accounts: 2,
      repositories: 10,
      projects: 20,
    });

    // Act
    const needing = repositoriesNeedingWrite(organization);

    // Assess
    expect(needing).toEqual([
      'images/repo-000',
      'images/repo-001',
      'images/repo-002',
      'images/repo-003',
      'images/repo-007',
    ]);
  });
});
