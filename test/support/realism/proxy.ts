import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  IamDirectory,
  type IamPrincipal,
  parseIamArn,
} from './iam-directory.js';
import {
  awsPrincipals,
  formatStoredPolicy,
  isObject,
  replaceAwsPrincipals,
  statementsOf,
} from './policy-text.js';

/**
 * A test-only HTTP proxy between the AWS SDK and moto that adds what AWS
 * does and moto does not: ECR's policy size limit and principal existence
 * check, ECR's reformatting of stored policies and its rewriting of deleted
 * roles to their unique ids, throttling and latency.
 */
export type ServiceName =
  | 'ecr'
  | 'codebuild'
  | 'organizations'
  | 'sts'
  | 'iam'
  | (string & {});

export interface RealismFaults {
  /** Added before each request is handled. */
  latencyMs?: number;
  /** Share of requests answered with a throttling error, 0 to 1. */
  throttleRate?: number;
  /** Services whose requests may be throttled. */
  throttledServices?: ServiceName[];
  /**
   * Accounts whose roles STS refuses to hand out (`AccessDenied`), as when
   * a member account lacks the role or its trust policy.
   */
  deniedAssumeRoleAccounts?: string[];
  /** Which repository policy writes fail; none when absent. */
  failingWrites?: WriteFailure;
  /**
   * Share of policy writes, 0 to 1, that ECR carries out but whose reply
   * never arrives (the connection drops), so the client cannot tell.
   */
  lostWriteReplyRate?: number;
}

/**
 * Repository policy writes (Set and Delete) that fail before they reach the
 * emulator: those to the named repositories, and every one after the first
 * `after` writes let through since these faults were set.
 */
export interface WriteFailure {
  repositories?: string[];
  after?: number;
  /**
   * `AccessDeniedException` is final; `ServerException` (HTTP 500) is what
   * the SDK retries. Defaults to `AccessDeniedException`.
   */
  error?: 'AccessDeniedException' | 'ServerException';
}

export interface RealismProxyOptions extends RealismFaults {
  /** moto's endpoint, e.g. `http://127.0.0.1:5000`. */
  target: string;
  /** Seeds the throttling dice, so a run can be replayed. */
  seed?: number;
  /** ECR's limit on `policyText`. */
  maxPolicyLength?: number;
}

export interface RealismProxy {
  endpoint: string;
  stats: RealismStats;
  setFaults(faults: RealismFaults): void;
  stop(): Promise<void>;
}

/** From the ECR API model: RepositoryPolicyText has at most 10,240. */
export const ECR_MAX_POLICY_LENGTH = 10_240;

const DEFAULT_THROTTLED: ServiceName[] = [
  'ecr',
  'codebuild',
  'organizations',
  'sts',
  'iam',
];

const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921';

export class RealismStats {
  /** Requests received, by service then operation, throttled included. */
  readonly calls: Record<string, Record<string, number>> = {};
  total = 0;
  throttled = 0;
  /** Requests refused by a validation AWS does and moto does not. */
  refused = 0;
  /** AssumeRole calls refused by `deniedAssumeRoleAccounts`. */
  assumeRoleDenied = 0;
  /** Policy writes failed by `failingWrites`. */
  writesFailed = 0;
  /** Policy writes that reached the emulator and succeeded. */
  writesApplied = 0;
  /** Writes carried out whose reply was dropped by `lostWriteReplyRate`. */
  writeRepliesLost = 0;

  /** Every fault the proxy injected: throttles, denials, failed writes. */
  get faultsInjected(): number {
    return (
      this.throttled +
      this.assumeRoleDenied +
      this.writesFailed +
      this.writeRepliesLost
    );
  }

  record(service: string, operation: string) {
    const byOperation = this.calls[service] ?? {};
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    this.calls[service] = byOperation;
    this.total++;
  }

  /** Calls to one operation, or to every operation of a service. */
  count(service: string, operation?: string): number {
    const byOperation = this.calls[service] ?? {};
    if (operation !== undefined) return byOperation[operation] ?? 0;

    return Object.values(byOperation).reduce((sum, n) => sum + n, 0);
  }

  reset() {
    for (const service of Object.keys(this.calls)) delete this.calls[service];
    this.total = 0;
    this.throttled = 0;
    this.refused = 0;
    this.assumeRoleDenied = 0;
    this.writesFailed = 0;
    this.writesApplied = 0;
    this.writeRepliesLost = 0;
  }
}

/** mulberry32: small, seedable, good enough to decide throttling. */
function seededRandom(seed: number) {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface AwsRequest {
  service: string;
  region: string;
  operation: string;
  protocol: 'json' | 'query' | 'other';
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Close the connection instead of answering: the reply is lost. */
  lost?: boolean;
}

const CREDENTIAL_SCOPE =
  /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

function describeRequest(
  message: IncomingMessage,
  body: Buffer
): AwsRequest | undefined {
  const scope = CREDENTIAL_SCOPE.exec(message.headers.authorization ?? '');
  if (!scope) return undefined;
  const [, region = '', service = ''] = scope;
  const target = message.headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.slice(target.lastIndexOf('.') + 1);

    return {
      service,
      region,
      operation,
      protocol: 'json',
      headers: message.headers,
      body,
    };
  }
  const query = message.url?.split('?')[1] ?? '';
  const form = (message.headers['content-type'] ?? '').includes(
    'x-www-form-urlencoded'
  )
    ? body.toString('utf8')
    : '';
  const action =
    new URLSearchParams(form).get('Action') ??
    new URLSearchParams(query).get('Action');

  return {
    service,
    region,
    operation: action ?? `${message.method} ${message.url}`,
    protocol: action ? 'query' : 'other',
    headers: message.headers,
    body,
  };
}

function jsonError(contentType: string, type: string, message: string): Reply {
  return {
    status: 400,
    headers: {
      'content-type': contentType,
      'x-amzn-errortype': type,
      'x-amzn-requestid': crypto.randomUUID(),
    },
    body: Buffer.from(JSON.stringify({ __type: type, message })),
  };
}

function throttlingReply(described: AwsRequest): Reply {
  if (described.protocol === 'json') {
    const contentType = String(
      described.headers['content-type'] ?? 'application/x-amz-json-1.1'
    );

    return jsonError(contentType, 'ThrottlingException', 'Rate exceeded');
  }
  const requestId = crypto.randomUUID();
  const xml =
    '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>' +
    '<Message>Rate exceeded</Message></Error>' +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;

  return {
    status: 400,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: Buffer.from(xml),
  };
}

function assumeRoleDeniedReply(roleArn: string): Reply {
  const requestId = crypto.randomUUID();
  const xml =
    '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
    '<Message>User is not authorized to perform: sts:AssumeRole on ' +
    `resource: ${roleArn}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;

  return {
    status: 403,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: Buffer.from(xml),
  };
}

function writeFailedReply(
  error: NonNullable<WriteFailure['error']>,
  repositoryName: string
): Reply {
  const reply = jsonError(
    'application/x-amz-json-1.1',
    error,
    `Injected failure writing the policy of ${repositoryName}`
  );

  return error === 'ServerException' ? { ...reply, status: 500 } : reply;
}

const POLICY_WRITES = new Set([
  'SetRepositoryPolicy',
  'DeleteRepositoryPolicy',
]);

function invalidPolicy(constraint: string): Reply {
  return jsonError(
    'application/x-amz-json-1.1',
    'InvalidParameterException',
    `Invalid parameter at 'PolicyText' failed to satisfy constraint: ` +
      `'${constraint}'`
  );
}

/** Principals AWS resolves to a unique id, which then cannot be sent back. */
const UNIQUE_ID = /^(AROA|AIDA)[A-Z0-9]{16,}$/;

const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/;

class EcrPolicyRules {
  /** Role and user unique ids of each repository's accepted policy. */
  private readonly uniqueIds = new Map<string, Map<string, string>>();

  constructor(
    private readonly iam: IamDirectory,
    private readonly maxPolicyLength: number
  ) {}

  /** Returns a refusal, or the principals' unique ids to remember. */
  async check(
    policyText: string
  ): Promise<{ refusal: Reply } | { uniqueIds: Map<string, string> }> {
    if (policyText.length > this.maxPolicyLength) {
      return {
        refusal: invalidPolicy(
          'Member must have length less than or equal to ' +
            `${this.maxPolicyLength}`
        ),
      };
    }
    let policy: unknown;
    try {
      policy = JSON.parse(policyText);
    } catch {
      // moto judges the syntax itself.
      return { uniqueIds: new Map() };
    }
    const principals = [
      ...new Set(statementsOf(policy).flatMap(awsPrincipals)),
    ].filter(
      (principal) => principal !== '*' && !ACCOUNT_PRINCIPAL.test(principal)
    );
    if (principals.some((principal) => UNIQUE_ID.test(principal))) {
      return { refusal: invalidPolicy('Principal not found') };
    }
    // Other forms (service-linked, assumed-role sessions) are let through.
    const named = principals.filter((principal) => parseIamArn(principal));
    const found = await Promise.all(
      named.map((principal) => this.iam.find(principal))
    );
    const existing = found.filter(
      (principal): principal is IamPrincipal => principal !== undefined
    );
    if (existing.length < named.length) {
      return { refusal: invalidPolicy('Principal not found') };
    }
    const uniqueIds = new Map(
      existing.map((principal) => [principal.arn, principal.uniqueId])
    );

    return { uniqueIds };
  }

  remember(repository: string, uniqueIds: Map<string, string>) {
    this.uniqueIds.set(repository, uniqueIds);
  }

  forget(repository: string) {
    this.uniqueIds.delete(repository);
  }

  /**
   * AWS keeps a principal's unique id, so a deleted role shows up as that
   * id, and a role recreated under the same name is not the same principal.
   */
  async present(repository: string, policyText: string): Promise<string> {
    let policy: unknown;
    try {
      policy = JSON.parse(policyText);
    } catch {
      return policyText;
    }
    const remembered = this.uniqueIds.get(repository) ?? new Map();
    const named = [
      ...new Set(statementsOf(policy).flatMap(awsPrincipals)),
    ].filter((principal) => remembered.has(principal));
    const current = new Map(
      await Promise.all(
        named.map(
          async (principal) =>
            [principal, (await this.iam.find(principal))?.uniqueId] as const
        )
      )
    );
    for (const statement of statementsOf(policy)) {
      replaceAwsPrincipals(statement, (principal) => {
        const uniqueId = remembered.get(principal);
        if (uniqueId === undefined) return principal;

        return current.get(principal) === uniqueId ? principal : uniqueId;
      });
    }

    return formatStoredPolicy(policy);
  }
}

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

function send(response: ServerResponse, reply: Reply) {
  response.writeHead(reply.status, {
    ...reply.headers,
    'content-length': String(reply.body.length),
  });
  response.end(reply.body);
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
]);

/** Starts the proxy on a free loopback port. */
export async function startRealismProxy(
  options: RealismProxyOptions
): Promise<RealismProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const stats = new RealismStats();
  const random = seededRandom(options.seed ?? 1);
  const rules = new EcrPolicyRules(
    new IamDirectory(target.origin),
    options.maxPolicyLength ?? ECR_MAX_POLICY_LENGTH
  );
  const faults: Required<RealismFaults> = {
    latencyMs: options.latencyMs ?? 0,
    throttleRate: options.throttleRate ?? 0,
    throttledServices: options.throttledServices ?? DEFAULT_THROTTLED,
    deniedAssumeRoleAccounts: options.deniedAssumeRoleAccounts ?? [],
    failingWrites: options.failingWrites ?? {},
    lostWriteReplyRate: options.lostWriteReplyRate ?? 0,
  };
  const loseReply = (reply: Reply): Reply => {
    if (faults.lostWriteReplyRate <= 0) return reply;
    if (random() >= faults.lostWriteReplyRate) return reply;
    stats.writeRepliesLost++;

    return { ...reply, lost: true };
  };

  // Counted when a write passes the gate, not when it completes: writes in
  // flight together must not all slip through under the same count.
  let writesAdmitted = 0;
  const writeFailure = (repositoryName: string) => {
    const failing = faults.failingWrites;
    const named = failing.repositories?.includes(repositoryName) ?? false;
    const late = failing.after !== undefined && writesAdmitted >= failing.after;
    if (named || late) return failing.error ?? 'AccessDeniedException';
    writesAdmitted++;

    return null;
  };

  const forward = (message: IncomingMessage, body: Buffer) =>
    new Promise<Reply>((resolve, reject) => {
      const headers = { ...message.headers, host: target.host };
      const outgoing = request(
        {
          host: target.hostname,
          port: target.port,
          method: message.method,
          path: message.url,
          headers,
          agent,
        },
        (incoming) => {
          readBody(incoming).then((replyBody) => {
            const replyHeaders: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name)) {
                replyHeaders[name] = value;
              }
            }
            resolve({
              status: incoming.statusCode ?? 502,
              headers: replyHeaders,
              body: replyBody,
            });
          }, reject);
        }
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const handleEcr = async (
    message: IncomingMessage,
    described: AwsRequest
  ): Promise<Reply> => {
    const input = parseJson(described.body);
    const repositoryKey = (reply: Record<string, unknown>) =>
      `${reply.registryId}:${described.region}:${reply.repositoryName}`;

    if (POLICY_WRITES.has(described.operation)) {
      const name = String(input.repositoryName ?? '');
      const failure = writeFailure(name);
      if (failure) {
        stats.writesFailed++;

        return writeFailedReply(failure, name);
      }
    }

    if (described.operation === 'SetRepositoryPolicy') {
      const policyText =
        typeof input.policyText === 'string' ? input.policyText : '';
      const verdict = await rules.check(policyText);
      if ('refusal' in verdict) {
        stats.refused++;

        return verdict.refusal;
      }
      const reply = await forward(message, described.body);
      if (reply.status !== 200) return reply;
      stats.writesApplied++;
      const output = parseJson(reply.body);
      rules.remember(repositoryKey(output), verdict.uniqueIds);

      return loseReply(
        await withPolicyText(reply, output, repositoryKey(output))
      );
    }

    const reply = await forward(message, described.body);
    if (reply.status !== 200) return reply;
    const output = parseJson(reply.body);
    if (described.operation === 'GetRepositoryPolicy') {
      return withPolicyText(reply, output, repositoryKey(output));
    }
    const deleted = described.operation === 'DeleteRepositoryPolicy';
    if (deleted) stats.writesApplied++;
    if (
      described.operation === 'DeleteRepositoryPolicy' ||
      described.operation === 'DeleteRepository'
    ) {
      const repository = isObject(output.repository)
        ? output.repository
        : output;
      rules.forget(repositoryKey(repository));
    }

    return deleted ? loseReply(reply) : reply;
  };

  const withPolicyText = async (
    reply: Reply,
    output: Record<string, unknown>,
    repository: string
  ): Promise<Reply> => {
    if (typeof output.policyText !== 'string') return reply;
    const policyText = await rules.present(repository, output.policyText);

    return {
      ...reply,
      body: Buffer.from(JSON.stringify({ ...output, policyText })),
    };
  };

  const handle = async (message: IncomingMessage): Promise<Reply> => {
    const body = await readBody(message);
    if (faults.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    }
    const described = describeRequest(message, body);
    if (!described) return forward(message, body);

    stats.record(described.service, described.operation);
    if (
      faults.throttleRate > 0 &&
      faults.throttledServices.includes(described.service) &&
      random() < faults.throttleRate
    ) {
      stats.throttled++;

      return throttlingReply(described);
    }
    if (described.service === 'sts' && described.operation === 'AssumeRole') {
      const roleArn =
        new URLSearchParams(described.body.toString('utf8')).get('RoleArn') ??
        '';
      const accountId = roleArn.split(':')[4] ?? '';
      if (faults.deniedAssumeRoleAccounts.includes(accountId)) {
        stats.assumeRoleDenied++;

        return assumeRoleDeniedReply(roleArn);
      }
    }
    const target = String(message.headers['x-amz-target'] ?? '');
    if (target.startsWith(`${ECR_TARGET}.`)) {
      return handleEcr(message, described);
    }

    return forward(message, body);
  };

  const server = createServer((message, response) => {
    handle(message).then(
      (reply) =>
        reply.lost ? response.socket?.destroy() : send(response, reply),
      (error: unknown) =>
        send(response, {
          status: 502,
          headers: { 'content-type': 'text/plain' },
          body: Buffer.from(`Realism proxy: ${String(error)}`),
        })
    );
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve())
  );
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setFaults(changes) {
      if (changes.failingWrites) writesAdmitted = 0;
      Object.assign(
        faults,
        Object.fromEntries(
          Object.entries(changes).filter(([, value]) => value !== undefined)
        )
      );
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');

    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
