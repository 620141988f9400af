import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import {
  type CodeBuildGateway,
  createCodeBuildGateway,
} from '../../../aws/src/codebuild.js';
import type { accountClients } from './aws-context.js';

/** CodeBuild in member accounts, through the member role. */
export function codebuildOf(
  { clients, credentials }: ReturnType<typeof accountClients>,
  memberRoleName: string
): CodeBuildGateway {
  return createCodeBuildGateway((accountId, region) =>
    clients.get(
      'codebuild',
      CodeBuildClient,
      credentials.forAccount(accountId, memberRoleName),
      region
    )
  );
}
