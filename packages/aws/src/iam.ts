import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  SimulatePrincipalPolicyCommand,
  type SimulatePrincipalPolicyCommandInput,
  type SimulatePrincipalPolicyCommandOutput,
} from '@aws-sdk/client-iam';
import type { Pluggable } from '@smithy/types';
import { accountOfArn } from './credentials.js';
import { errorName, toGatewayError } from './errors.js';

export interface RolePolicyDocument {
  /** The policy name (inline) or ARN (managed). */
  name: string;
  kind: 'inline' | 'managed';
  /** The policy document as JSON text, URL-decoded. */
  document: string;
}

export interface RoleDescription {
  arn: string;
  /** The managed policy that caps the role's permissions, when set. */
  permissionsBoundaryArn?: string;
}

/** An action and the resource it acts on: an ARN, or `*`. */
export interface SimulationRequest {
  action: string;
  resource: string;
}

export type SimulatedDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** A condition key value handed to the simulator. */
export interface SimulationContextEntry {
  key: string;
  values: string[];
  /** `stringList` for multivalued keys such as aws:PrincipalOrgPaths. */
  type: 'string' | 'stringList' | 'boolean';
}

export interface SimulatedAction extends SimulationRequest {
  decision: SimulatedDecision;
  /** Ids of the policies whose statements decided. */
  matchedPolicies: string[];
  /** False when a service control policy blocks the action. */
  allowedByOrganizations?: boolean;
  /** False when the role's permissions boundary blocks the action. */
  allowedByPermissionsBoundary?: boolean;
  /** Condition keys the policies need and the simulation did not get. */
  missingContextValues?: string[];
}

export type PrincipalSimulation =
  | { kind: 'simulated'; actions: SimulatedAction[] }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'no-such-role' };

export interface IamGateway {
  /** Reads in the role's own account, taken from its ARN. */
  roleExists(roleArn: string): Promise<boolean>;
  /** The role, or undefined when it does not exist. */
  readRole(roleArn: string): Promise<RoleDescription | undefined>;
  /** Inline and attached managed policies; undefined when no such role. */
  readRolePolicies(roleArn: string): Promise<RolePolicyDocument[] | undefined>;
  /**
   * IAM's own judgement of the role's policies (SimulatePrincipalPolicy,
   * which also weighs service control policies and the permissions
   * boundary). `unavailable` when the endpoint or the caller's permissions
   * do not offer it, so the caller can judge the policies itself.
   */
  simulatePrincipalPolicy(
    roleArn: string,
    requests: readonly SimulationRequest[],
    context?: readonly SimulationContextEntry[]
  ): Promise<PrincipalSimulation>;
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

/**
 * Raised in place of any SimulatePrincipalPolicy failure, so that it is
 * never retried. It holds the SDK error's name rather than the error as
 * `cause`, because the SDK's retry check follows `cause` too. It never
 * leaves this module.
 */
class SimulationFailure extends Error {
  override name = 'SimulationFailure';

  constructor(
    message: string,
    readonly sdkErrorName: string | undefined
  ) {
    super(message);
  }
}

/**
 * The simulator is an aid with a fallback, so a failure is not worth the
 * SDK's retries: with eight adaptive attempts, an endpoint that answers
 * HTTP 500 (moto does) would cost about ten seconds per role. The SDK
 * retries by HTTP status and error name; an error with neither is final.
 */
const NO_RETRY: Pluggable<
  SimulatePrincipalPolicyCommandInput,
  SimulatePrincipalPolicyCommandOutput
> = {
  applyToStack(stack) {
    stack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          const detail = error instanceof Error ? error : undefined;
          const status = (error as { $metadata?: { httpStatusCode?: number } })
            .$metadata?.httpStatusCode;
          // SDK messages can run to several lines (a deserialization
          // error quotes the body); the first says what happened.
          const first = (detail?.message ?? '').split('\n')[0]?.trim();
          throw new SimulationFailure(
            `${detail?.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}: ${(
              first || 'no message'
            ).slice(0, 200)}`,
            detail?.name
          );
        }
      },
      { step: 'deserialize', priority: 'high', name: 'simulationNoRetry' }
    );
  },
};

function simulatedAction(
  result: {
    EvalActionName?: string;
    EvalResourceName?: string;
    EvalDecision?: string;
    MatchedStatements?: { SourcePolicyId?: string }[];
    OrganizationsDecisionDetail?: { AllowedByOrganizations?: boolean };
    PermissionsBoundaryDecisionDetail?: {
      AllowedByPermissionsBoundary?: boolean;
    };
    MissingContextValues?: string[];
  },
  fallbackResource: string
): SimulatedAction {
  const decision = result.EvalDecision;
  const organizations =
    result.OrganizationsDecisionDetail?.AllowedByOrganizations;
  const boundary =
    result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;

  return {
    action: result.EvalActionName ?? '',
    resource: result.EvalResourceName ?? fallbackResource,
    decision:
      decision === 'allowed' || decision === 'explicitDeny'
        ? decision
        : 'implicitDeny',
    matchedPolicies: [
      ...new Set(
        (result.MatchedStatements ?? []).flatMap((statement) =>
          statement.SourcePolicyId ? [statement.SourcePolicyId] : []
        )
      ),
    ],
    ...(organizations === undefined
      ? {}
      : { allowedByOrganizations: organizations }),
    ...(boundary === undefined
      ? {}
      : { allowedByPermissionsBoundary: boundary }),
    ...(result.MissingContextValues?.length
      ? { missingContextValues: result.MissingContextValues }
      : {}),
  };
}

export function createIamGateway(clientFor: IamClientFor): IamGateway {
  async function readRole(
    roleArn: string
  ): Promise<RoleDescription | undefined> {
    const accountId = accountOfArn(roleArn);
    try {
      const { Role: role } = await clientFor(accountId).send(
        new GetRoleCommand({ RoleName: roleNameOfArn(roleArn) })
      );
      const boundary = role?.PermissionsBoundary?.PermissionsBoundaryArn;

      return {
        arn: role?.Arn ?? roleArn,
        ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
      };
    } catch (error) {
      if (errorName(error) === NO_SUCH_ENTITY) return undefined;
      throw toGatewayError(error, { operation: 'GetRole', accountId });
    }
  }

  async function roleExists(roleArn: string): Promise<boolean> {
    return (await readRole(roleArn)) !== undefined;
  }

  async function simulatePrincipalPolicy(
    roleArn: string,
    requests: readonly SimulationRequest[],
    context: readonly SimulationContextEntry[] = []
  ): Promise<PrincipalSimulation> {
    const client = clientFor(accountOfArn(roleArn));
    const byResource = new Map<string, string[]>();
    for (const request of requests) {
      const actions = byResource.get(request.resource) ?? [];
      actions.push(request.action);
      byResource.set(request.resource, actions);
    }

    const actions: SimulatedAction[] = [];
    try {
      for (const [resource, names] of byResource) {
        let marker: string | undefined;
        do {
          const input: SimulatePrincipalPolicyCommandInput = {
            PolicySourceArn: roleArn,
            ActionNames: names,
            // Without ResourceArns IAM simulates the resource `*`.
            ...(resource === '*' ? {} : { ResourceArns: [resource] }),
            ...(context.length > 0
              ? {
                  ContextEntries: context.map((entry) => ({
                    ContextKeyName: entry.key,
                    ContextKeyValues: entry.values,
                    ContextKeyType: entry.type,
                  })),
                }
              : {}),
            ...(marker ? { Marker: marker } : {}),
          };
          const command = new SimulatePrincipalPolicyCommand(input);
          command.middlewareStack.use(NO_RETRY);
          const page = await client.send(command);
          for (const result of page.EvaluationResults ?? []) {
            actions.push(simulatedAction(result, resource));
          }
          marker = page.IsTruncated ? page.Marker : undefined;
        } while (marker);
      }
    } catch (error) {
      const cause = error instanceof SimulationFailure ? error.cause : error;
      if (errorName(cause) === NO_SUCH_ENTITY) return { kind: 'no-such-role' };

      return {
        kind: 'unavailable',
        reason: error instanceof Error ? error.message : String(error),
      };
    }

    return { kind: 'simulated', actions };
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

  return { roleExists, readRole, readRolePolicies, simulatePrincipalPolicy };
}
