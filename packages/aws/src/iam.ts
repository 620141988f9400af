import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { accountOfArn } from './credentials.js';
import { errorName, toGatewayError } from './errors.js';

export interface RolePolicyDocument {
  /** The policy name (inline) or ARN (managed). */
  name: string;
  kind: 'inline' | 'managed';
  /** The policy document as JSON text, URL-decoded. */
  document: string;
}

export interface IamGateway {
  /** Reads in the role's own account, taken from its ARN. */
  roleExists(roleArn: string): Promise<boolean>;
  /** Inline and attached managed policies; undefined when no such role. */
  readRolePolicies(roleArn: string): Promise<RolePolicyDocument[] | undefined>;
}

/** Gives the IAM client acting in an account. */
export type IamClientFor = (accountId: string) => IAMClient;

const NO_SUCH_ENTITY = 'NoSuchEntityException';

/** `arn:aws:iam::111122223333:role/path/name` -> `name`. */
export function roleNameOfArn(roleArn: string): string {
  return roleArn.split('/').at(-1) ?? '';
}

/**
 * IAM returns policy documents URL-encoded (RFC 3986). Text that does not
 * decode is returned as it came, for an emulator that does not encode.
 */
export function decodePolicyDocument(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function createIamGateway(clientFor: IamClientFor): IamGateway {
  async function roleExists(roleArn: string): Promise<boolean> {
    const accountId = accountOfArn(roleArn);
    try {
      await clientFor(accountId).send(
        new GetRoleCommand({ RoleName: roleNameOfArn(roleArn) })
      );

      return true;
    } catch (error) {
      if (errorName(error) === NO_SUCH_ENTITY) return false;
      throw toGatewayError(error, { operation: 'GetRole', accountId });
    }
  }

  async function readInline(
    client: IAMClient,
    roleName: string
  ): Promise<RolePolicyDocument[]> {
    const names: string[] = [];
    const pages = paginateListRolePolicies({ client }, { RoleName: roleName });
    for await (const page of pages) names.push(...(page.PolicyNames ?? []));

    return Promise.all(
      names.map(async (name) => {
        const { PolicyDocument } = await client.send(
          new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })
        );

        return {
          name,
          kind: 'inline' as const,
          document: decodePolicyDocument(PolicyDocument ?? ''),
        };
      })
    );
  }

  async function readManaged(
    client: IAMClient,
    roleName: string
  ): Promise<RolePolicyDocument[]> {
    const arns: string[] = [];
    const pages = paginateListAttachedRolePolicies(
      { client },
      { RoleName: roleName }
    );
    for await (const page of pages) {
      for (const policy of page.AttachedPolicies ?? []) {
        if (policy.PolicyArn) arns.push(policy.PolicyArn);
      }
    }

    return Promise.all(
      arns.map(async (arn) => {
        const { Policy } = await client.send(
          new GetPolicyCommand({ PolicyArn: arn })
        );
        const { PolicyVersion } = await client.send(
          new GetPolicyVersionCommand({
            PolicyArn: arn,
            VersionId: Policy?.DefaultVersionId,
          })
        );

        return {
          name: arn,
          kind: 'managed' as const,
          document: decodePolicyDocument(PolicyVersion?.Document ?? ''),
        };
      })
    );
  }

  async function readRolePolicies(
    roleArn: string
  ): Promise<RolePolicyDocument[] | undefined> {
    const accountId = accountOfArn(roleArn);
    const client = clientFor(accountId);
    const roleName = roleNameOfArn(roleArn);
    try {
      const [inline, managed] = await Promise.all([
        readInline(client, roleName),
        readManaged(client, roleName),
      ]);

      return [...inline, ...managed];
    } catch (error) {
      if (errorName(error) === NO_SUCH_ENTITY) return undefined;
      throw toGatewayError(error, {
        operation: 'ReadRolePolicies',
        accountId,
      });
    }
  }

  return { roleExists, readRolePolicies };
}
