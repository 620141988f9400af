export { resolveAudience } from './audience.js';
export {
  formatShareTag,
  parseShareTag,
  SHARE_TAG_MAX_LENGTH,
  shareTargetKey,
} from './share-tag.js';
export type { Audience, ShareTagParse, ShareTarget } from './types.js';
