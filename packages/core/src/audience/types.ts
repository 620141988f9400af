export type ShareTarget =
  | { kind: 'org' }
  | { kind: 'root'; id: string }
  | { kind: 'ou'; id: string }
  | { kind: 'account'; id: string };

export type ShareTagParse =
  | { ok: true; targets: ShareTarget[] }
  | { ok: false; reason: string };

/** The accounts a repository is shared with, resolved against the org. */
export interface Audience {
  targets: ShareTarget[];
  /** ACTIVE accounts inside the audience. */
  accountIds: ReadonlySet<string>;
  /**
   * `aws:PrincipalOrgPaths` patterns; set only when every target is an OU or
   * the root, so that a moved account loses access before any event arrives.
   */
  orgPaths?: string[];
  /** Targets that name nothing in the Organization. */
  missingTargets: ShareTarget[];
}
