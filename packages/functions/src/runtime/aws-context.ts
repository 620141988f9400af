import { type AwsContext, ClientFactory } from '../../../aws/src/clients.js';
import { AccountCredentials } from '../../../aws/src/credentials.js';
import type { HandlerEnvironment } from './environment.js';
import { tracer } from './telemetry.js';

/** How a handler's clients are made: traced, and at the emulator if set. */
export function awsContextOf(environment: HandlerEnvironment): AwsContext {
  return {
    region: environment.region,
    ...(environment.endpoint ? { endpoint: environment.endpoint } : {}),
    configure: (client) => {
      tracer.captureAWSv3Client(client);
    },
  };
}

/** Clients and per-account credentials (STS) for cross-account calls. */
export function accountClients(environment: HandlerEnvironment) {
  const context = awsContextOf(environment);
  const clients = new ClientFactory(context);

  return {
    context,
    clients,
    credentials: new AccountCredentials(context, clients),
  };
}
