/** Where a failed AWS call was going, so a report can name it. */
export interface AwsCallScope {
  operation: string;
  accountId?: string;
  region?: string;
}

/** An AWS call failed after the SDK's retries. */
export class AwsGatewayError extends Error {
  override name = 'AwsGatewayError';
  readonly operation: string;
  readonly accountId?: string;
  readonly region?: string;

  constructor(message: string, scope: AwsCallScope, options: ErrorOptions) {
    super(message, options);
    this.operation = scope.operation;
    this.accountId = scope.accountId;
    this.region = scope.region;
  }
}

/** The role in an account could not be assumed; nothing there is readable. */
export class AssumeRoleError extends AwsGatewayError {
  override name = 'AssumeRoleError';
  readonly roleArn: string;

  constructor(roleArn: string, accountId: string, options: ErrorOptions) {
    super(
      `Cannot assume ${roleArn} in account ${accountId}: ${reason(options)}`,
      { operation: 'AssumeRole', accountId },
      options
    );
    this.roleArn = roleArn;
  }
}

/** The credentials in use lack a permission the call needs. */
export class AccessDeniedError extends AwsGatewayError {
  override name = 'AccessDeniedError';
}

/** The resource the call names does not exist (or no longer does). */
export class ResourceNotFoundError extends AwsGatewayError {
  override name = 'ResourceNotFoundError';
}

/**
 * ECR refused a repository policy: `Principal not found` for a role that
 * does not exist (yet), or a policy it finds malformed.
 */
export class RepositoryPolicyRejectedError extends AwsGatewayError {
  override name = 'RepositoryPolicyRejectedError';
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
]);

function reason(options: ErrorOptions): string {
  const cause = options.cause;

  return cause instanceof Error ? cause.message : String(cause);
}

/** The SDK's error name (the service's error code), when it has one. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * Wraps an SDK failure in the gateway's error tree. Callers that must
 * tell a missing resource apart list the SDK error names that mean so.
 */
export function toGatewayError(
  error: unknown,
  scope: AwsCallScope,
  notFound: readonly string[] = []
): AwsGatewayError {
  if (error instanceof AwsGatewayError) return error;
  const name = errorName(error) ?? 'UnknownError';
  const where = [scope.accountId, scope.region].filter(Boolean).join(' ');
  const message = `${scope.operation} failed${where ? ` in ${where}` : ''}: ${
    name
  }: ${reason({ cause: error })}`;
  if (ACCESS_DENIED.has(name)) {
    return new AccessDeniedError(message, scope, { cause: error });
  }
  if (notFound.includes(name)) {
    return new ResourceNotFoundError(message, scope, { cause: error });
  }

  return new AwsGatewayError(message, scope, { cause: error });
}
