export {
  parseImageReference,
  parseRepositoryArn,
  partitionOfRegion,
  repositoryArnOf,
} from './image-reference.js';
export type {
  EcrEndpoint,
  EcrImageReference,
  ImageRegistry,
  ParsedImage,
  RepositoryLocation,
} from './types.js';
