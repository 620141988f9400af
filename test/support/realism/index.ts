export {
  IamDirectory,
  type IamPrincipal,
  parseIamArn,
} from './iam-directory.js';
export { formatStoredPolicy } from './policy-text.js';
export {
  ECR_MAX_POLICY_LENGTH,
  type RealismFaults,
  type RealismProxy,
  type RealismProxyOptions,
  RealismStats,
  type ServiceName,
  startRealismProxy,
  type WriteFailure,
} from './proxy.js';
