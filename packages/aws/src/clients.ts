import type { HttpHandler } from '@smithy/protocol-http';
import type {
  AwsCredentialIdentityProvider,
  MiddlewareStack,
} from '@smithy/types';

/** Services the gateways talk to; also the `service` given to observers. */
export type ServiceName =
  | 'codebuild'
  | 'dynamodb'
  | 'ecr'
  | 'iam'
  | 'organizations'
  | 'sqs'
  | 'sts';

/**
 * Observes every HTTP attempt the gateways send, retries included.
 * `accountId` is undefined only for calls made with the base credentials
 * before their account is known (the first GetCallerIdentity).
 */
export type CallObserver = (
  service: ServiceName,
  operation: string,
  accountId: string | undefined
) => void;

/** The part of an SDK v3 client the `configure` hook may touch. */
export interface ConfigurableClient {
  // biome-ignore lint/suspicious/noExplicitAny: each client has its own input and output unions
  middlewareStack: MiddlewareStack<any, any>;
}

/** How every client is built; created once per process. */
export interface AwsContext {
  /** Default Region: STS, IAM and Organizations calls go here. */
  region: string;
  /** Sends every call (STS included) here, e.g. a local moto server. */
  endpoint?: string;
  /**
   * Credentials of the process. Defaults to the SDK's provider chain, or to
   * static dummy keys when `endpoint` is set.
   */
  baseCredentials?: AwsCredentialIdentityProvider;
  /** SDK attempts per operation (adaptive retry mode). Default 8. */
  maxAttempts?: number;
  onCall?: CallObserver;
  /** Replaces the SDK's HTTP handler, e.g. to add latency or throttling. */
  requestHandler?: HttpHandler<object>;
  /** Called once on every new client, e.g. to add middleware. */
  configure?: (client: ConfigurableClient, service: ServiceName) => void;
}

/** An account in one Region: where repositories or projects live. */
export interface AccountRegion {
  accountId: string;
  region: string;
}

/** Who a client acts as: the base credentials or an assumed role. */
export interface ClientIdentity {
  /** Distinguishes cached clients: `base`, or the assumed role's ARN. */
  key: string;
  /** The account the calls are made in, once known. */
  accountId(): string | undefined;
  /** Undefined lets the SDK find credentials itself. */
  credentials: AwsCredentialIdentityProvider | undefined;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * AWS documentation's example keys. moto maps keys it does not know to its
 * default account, so a demo against it runs without any AWS set-up.
 */
export const EMULATOR_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** The configuration every SDK v3 client constructor accepts. */
export interface CommonClientConfig {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
  maxAttempts: number;
  retryMode: 'adaptive';
  requestHandler?: HttpHandler<object>;
}

type ClientConstructor<T> = new (config: CommonClientConfig) => T;

/**
 * The base credentials: the configured ones, dummy keys for an emulator,
 * or undefined to let the SDK find them (environment, profile, role).
 */
export function baseCredentialsOf(
  context: AwsContext
): AwsCredentialIdentityProvider | undefined {
  if (context.baseCredentials) return context.baseCredentials;
  if (context.endpoint) return async () => EMULATOR_CREDENTIALS;

  return undefined;
}

/** Creates each client once per (service, identity, Region) and keeps it. */
export class ClientFactory {
  readonly #context: AwsContext;
  readonly #clients = new Map<string, ConfigurableClient>();

  constructor(context: AwsContext) {
    this.#context = context;
  }

  get defaultRegion(): string {
    return this.#context.region;
  }

  get<T extends ConfigurableClient>(
    service: ServiceName,
    Client: ClientConstructor<T>,
    identity: ClientIdentity,
    region: string = this.#context.region
  ): T {
    const key = `${service}|${identity.key}|${region}`;
    const cached = this.#clients.get(key);
    if (cached) return cached as T;

    const client = new Client({
      region,
      endpoint: this.#context.endpoint,
      credentials: identity.credentials,
      maxAttempts: this.#context.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'adaptive',
      requestHandler: this.#context.requestHandler,
    });
    this.#observe(client, service, identity);
    this.#context.configure?.(client, service);
    this.#clients.set(key, client);

    return client;
  }

  /**
   * The observer sits in the deserialize step, inside the retry loop of
   * the finalizeRequest step, so it sees each HTTP attempt, retries
   * included, and nothing for calls refused before sending.
   */
  #observe(
    client: ConfigurableClient,
    service: ServiceName,
    identity: ClientIdentity
  ): void {
    const onCall = this.#context.onCall;
    if (!onCall) return;

    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(
          /Command$/,
          ''
        );
        onCall(service, operation, identity.accountId());

        return next(args);
      },
      { step: 'deserialize', name: 'callObserver', priority: 'low' }
    );
  }
}
