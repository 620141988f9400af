export type {
  AccountStatus,
  OrgAccount,
  OrganizationalUnit,
  OrgTree,
} from './org-tree.js';
export {
  ancestorsOf,
  ancestryOf,
  isActiveMember,
  orgPathOfAccount,
  orgPathOfUnit,
} from './org-tree.js';
