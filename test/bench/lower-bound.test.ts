import { describe, expect, it } from 'vitest';
import {
  censusOf,
  lowerBound,
  type OrganizationCensus,
  pages,
} from '../../bench/lower-bound.js';
import {
  QUICK_SIZE,
  syntheticOrganization,
} from '../../bench/synthetic-organization.js';

function callsOf(census: OrganizationCensus, operation: string) {
  return lowerBound(census).items.find((item) =>
    item.operation.startsWith(operation)
  )?.calls;
}

describe('Function: pages', () => {
  it('needs one call for an empty listing and one more per full page', () => {
    // Act
    const counts = [0, 1, 20, 21, 40, 41].map((items) => pages(items, 20));

    // Assess
    expect(counts).toEqual([1, 1, 1, 2, 2, 3]);
  });
});

describe('Function: lowerBound', () => {
  const census: OrganizationCensus = {
    parents: [
      { units: 3, accounts: 1 },
      { units: 0, accounts: 45 },
      { units: 25, accounts: 0 },
    ],
    projectsPerAccountRegion: [0, 250, 100],
    repositoriesPerRegistry: [1500, 2],
    repositoriesToWrite: 7,
    assumedAccounts: 2,
  };

  it('counts Organizations pages of 20 per parent, one for none', () => {
    // Act
    const units = callsOf(census, 'ListOrganizationalUnitsForParent');
    const accounts = callsOf(census, 'ListAccountsForParent');

    // Assess
    expect(units).toBe(1 + 1 + 2);
    expect(accounts).toBe(1 + 3 + 1);
  });

  it('lists every account but fetches projects only where there are some', () => {
    // Act
    const listed = callsOf(census, 'ListProjects');
    const fetched = callsOf(census, 'BatchGetProjects');

    // Assess
    expect(listed).toBe(1 + 3 + 1);
    expect(fetched).toBe(0 + 3 + 1);
  });

  it('reads each repository twice and writes only where needed', () => {
    // Act
    const bound = lowerBound(census);

    // Assess
    expect(callsOf(census, 'DescribeRepositories')).toBe(2 + 1);
    expect(callsOf(census, 'ListTagsForResource')).toBe(1502);
    expect(callsOf(census, 'GetRepositoryPolicy')).toBe(1502);
    expect(callsOf(census, 'SetRepositoryPolicy')).toBe(7);
    expect(callsOf(census, 'AssumeRole')).toBe(2);
    expect(bound.total).toBe(
      bound.items.reduce((sum, item) => sum + item.calls, 0)
    );
    expect(bound.total).toBe(1 + 1 + 4 + 5 + 2 + 5 + 4 + 3 + 1502 * 2 + 7);
  });

  it('names what every line of the bound counts', () => {
    // Act
    const { items } = lowerBound(census);

    // Assess
    for (const item of items) expect(item.counts.length).toBeGreaterThan(10);
  });
});

describe('Function: censusOf', () => {
  const organization = syntheticOrganization(QUICK_SIZE);

  it('holds the root and every OU, with the management account in the root', () => {
    // Act
    const census = censusOf(organization, { cold: true });
    const accounts = census.parents.reduce((sum, p) => sum + p.accounts, 0);
    const units = census.parents.reduce((sum, p) => sum + p.units, 0);

    // Assess
    expect(census.parents).toHaveLength(1 + 21);
    expect(census.parents[0]?.units).toBe(3);
    expect(accounts).toBe(QUICK_SIZE.accounts + 1);
    expect(units).toBe(21);
  });

  it('lists projects of every ACTIVE account, the management one included', () => {
    // Act
    const census = censusOf(organization, { cold: true });
    const projects = census.projectsPerAccountRegion.reduce((a, b) => a + b);

    // Assess
    expect(census.projectsPerAccountRegion).toHaveLength(
      QUICK_SIZE.accounts + 1
    );
    expect(projects).toBe(QUICK_SIZE.projects);
  });

  it('expects no writes and no new sessions from a warm sweep', () => {
    // Act
    const cold = censusOf(organization, { cold: true });
    const warm = censusOf(organization, { cold: false });

    // Assess
    expect(cold.repositoriesToWrite).toBeGreaterThan(0);
    expect(cold.assumedAccounts).toBe(QUICK_SIZE.accounts);
    expect(warm.repositoriesToWrite).toBe(0);
    expect(warm.assumedAccounts).toBe(0);
  });
});
