import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  type AwsContext,
  baseCredentialsOf,
  type ClientFactory,
  type ClientIdentity,
} from './clients.js';
import { AssumeRoleError, toGatewayError } from './errors.js';

export const ROLE_SESSION_NAME = 'ecr-pull-reconciler';

/** Credentials are renewed this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface CallerIdentity {
  accountId: string;
  arn: string;
  partition: string;
}

/** The account id in an IAM or STS ARN. */
export function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/**
 * Credentials per account: the base credentials in the caller's own
 * account, an assumed role everywhere else, each cached until shortly
 * before it expires.
 */
export class AccountCredentials {
  readonly base: ClientIdentity;
  readonly #clients: ClientFactory;
  readonly #cache = new Map<string, AwsCredentialIdentity>();
  /** AssumeRole calls in flight, so concurrent callers share one. */
  readonly #pending = new Map<string, Promise<AwsCredentialIdentity>>();
  #caller: Promise<CallerIdentity> | undefined;
  #callerAccountId: string | undefined;

  constructor(context: AwsContext, clients: ClientFactory) {
    this.#clients = clients;
    this.base = {
      key: 'base',
      accountId: () => this.#callerAccountId,
      credentials: baseCredentialsOf(context),
    };
  }

  /** Who the base credentials are, learnt once per process. */
  callerIdentity(): Promise<CallerIdentity> {
    this.#caller ??= this.#sts()
      .send(new GetCallerIdentityCommand({}))
      .then(({ Account, Arn }) => {
        const arn = Arn ?? '';
        const accountId = Account ?? accountOfArn(arn);
        this.#callerAccountId = accountId;

        return { accountId, arn, partition: arn.split(':')[1] ?? 'aws' };
      })
      .catch((error: unknown) => {
        this.#caller = undefined;
        throw toGatewayError(error, { operation: 'GetCallerIdentity' });
      });

    return this.#caller;
  }

  /** Acts in `accountId` as `roleName`, or as the base in its own account. */
  forAccount(accountId: string, roleName: string): ClientIdentity {
    return {
      key: `${accountId}/${roleName}`,
      accountId: () => accountId,
      credentials: async () => {
        const caller = await this.callerIdentity();
        if (caller.accountId === accountId) return this.#baseCredentials();

        const roleArn = `arn:${caller.partition}:iam::${accountId}:role/${roleName}`;

        return this.#assumed(roleArn, accountId);
      },
    };
  }

  /** Acts as the given role, unless the base credentials already are it. */
  forRole(roleArn: string): ClientIdentity {
    const accountId = accountOfArn(roleArn);
    const roleName = roleArn.split('/').at(-1) ?? '';

    return {
      key: roleArn,
      accountId: () => accountId,
      credentials: async () => {
        const caller = await this.callerIdentity();
        const sameRole =
          caller.accountId === accountId &&
          caller.arn.includes(`:assumed-role/${roleName}/`);
        if (sameRole) return this.#baseCredentials();

        return this.#assumed(roleArn, accountId);
      },
    };
  }

  async #baseCredentials(): Promise<AwsCredentialIdentity> {
    const provider = this.base.credentials;
    if (provider) return provider();

    // Without configured credentials the SDK resolved its own provider
    // chain (environment, profile, Lambda role) for the STS client.
    return this.#sts().config.credentials();
  }

  #assumed(roleArn: string, accountId: string): Promise<AwsCredentialIdentity> {
    const cached = this.#cache.get(roleArn);
    if (cached && !expiresSoon(cached)) return Promise.resolve(cached);
    const pending = this.#pending.get(roleArn);
    if (pending) return pending;

    const request = this.#assume(roleArn, accountId)
      .then((credentials) => {
        this.#cache.set(roleArn, credentials);

        return credentials;
      })
      .finally(() => this.#pending.delete(roleArn));
    this.#pending.set(roleArn, request);

    return request;
  }

  async #assume(
    roleArn: string,
    accountId: string
  ): Promise<AwsCredentialIdentity> {
    try {
      const { Credentials } = await this.#sts().send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: ROLE_SESSION_NAME,
        })
      );
      if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
        throw new Error('AssumeRole returned no credentials');
      }

      return {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
        expiration: Credentials.Expiration,
      };
    } catch (error) {
      throw new AssumeRoleError(roleArn, accountId, { cause: error });
    }
  }

  #sts(): STSClient {
    return this.#clients.get('sts', STSClient, this.base);
  }
}

function expiresSoon(credentials: AwsCredentialIdentity): boolean {
  if (!credentials.expiration) return false;

  return credentials.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS;
}
