import {
  CodeBuildClient,
  CreateProjectCommand,
} from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EMULATOR_CREDENTIALS } from '../../packages/aws/src/clients.js';
import { CODEBUILD_TRUST_POLICY } from '../../packages/emulator/src/index.js';

export const REGION = 'eu-west-1';
/** moto's default account, where unknown access keys land. */
export const MANAGEMENT_ACCOUNT_ID = '123456789012';
export const ACCESS_ROLE = 'OrganizationAccountAccessRole';

const config = (endpoint: string) => ({
  region: REGION,
  endpoint,
  credentials: EMULATOR_CREDENTIALS,
});

/** The management account's view: creates the Organization and accounts. */
export class SeededOrganization {
  readonly organizations: OrganizationsClient;
  organizationId = '';
  rootId = '';

  constructor(readonly endpoint: string) {
    this.organizations = new OrganizationsClient(config(endpoint));
  }

  async create(): Promise<this> {
    const { Organization } = await this.organizations.send(
      new CreateOrganizationCommand({ FeatureSet: 'ALL' })
    );
    const { Roots } = await this.organizations.send(new ListRootsCommand({}));
    this.organizationId = Organization?.Id ?? '';
    this.rootId = Roots?.[0]?.Id ?? '';

    return this;
  }

  async createUnit(name: string, parentId = this.rootId): Promise<string> {
    const { OrganizationalUnit } = await this.organizations.send(
      new CreateOrganizationalUnitCommand({ Name: name, ParentId: parentId })
    );

    return OrganizationalUnit?.Id ?? '';
  }

  /** moto finishes CreateAccount at once, with a random account id. */
  async createAccount(name: string, parentId?: string): Promise<string> {
    const { CreateAccountStatus } = await this.organizations.send(
      new CreateAccountCommand({
        AccountName: name,
        Email: `${name}@example.com`,
      })
    );
    const accountId = CreateAccountStatus?.AccountId ?? '';
    if (parentId) {
      await this.organizations.send(
        new MoveAccountCommand({
          AccountId: accountId,
          SourceParentId: this.rootId,
          DestinationParentId: parentId,
        })
      );
    }

    return accountId;
  }

  /** Clients acting in a member account through its access role. */
  async actAs(accountId: string) {
    const sts = new STSClient(config(this.endpoint));
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/${ACCESS_ROLE}`,
        RoleSessionName: 'seed',
      })
    );
    const credentials = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken,
    };
    const member = { ...config(this.endpoint), credentials };

    return {
      ecr: new ECRClient(member),
      codebuild: new CodeBuildClient(member),
      iam: new IAMClient(member),
    };
  }
}

/** Creates a build role and projects that pull the given image. */
export async function seedBuildProjects(
  clients: { codebuild: CodeBuildClient; iam: IAMClient },
  accountId: string,
  projects: {
    name: string;
    image: string;
    credentials?: 'CODEBUILD' | 'SERVICE_ROLE';
    tags?: Record<string, string>;
  }[]
): Promise<string> {
  const roleName = 'build-role';
  await clients.iam
    .send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
      })
    )
    .catch((error: Error) => {
      if (error.name !== 'EntityAlreadyExistsException') throw error;
    });
  const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
  for (const project of projects) {
    await clients.codebuild.send(
      new CreateProjectCommand({
        name: project.name,
        serviceRole: roleArn,
        source: { type: 'NO_SOURCE', location: 'none' },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'LINUX_CONTAINER',
          computeType: 'BUILD_GENERAL1_SMALL',
          image: project.image,
          imagePullCredentialsType: project.credentials,
        },
        tags: Object.entries(project.tags ?? {}).map(([key, value]) => ({
          key,
          value,
        })),
      })
    );
  }

  return roleArn;
}
