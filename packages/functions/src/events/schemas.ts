import * as z from 'zod';

/**
 * Parser schemas of the events each router accepts. They check what the
 * router relies on and let every other field through untouched, since AWS
 * adds fields to these events over time (see aws-facts A1 to A4).
 */

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'not a Region');

/** ECR's own pattern for repository names. */
const repositoryName = z
  .string()
  .regex(
    /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    'not an ECR repository name'
  )
  .max(256);

/**
 * The EventBridge envelope, as Powertools' EventBridgeSchema has it. That
 * schema is not reused: it imports zod's `z` export, which keeps all of
 * zod's locales in a bundle (some 370 KB of each handler's 1.1 MB), where
 * the namespace import below lets esbuild drop them.
 */
const envelope = z.object({
  version: z.string(),
  id: z.string().min(1),
  source: z.string(),
  account: accountId,
  time: z.iso.datetime(),
  region,
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});

const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
const CLOUDTRAIL_SERVICE_EVENT = 'AWS Service Event via CloudTrail';

/** The CloudTrail record fields every CloudTrail-based router reads. */
const cloudTrailRecord = z.object({
  eventID: z.string().optional(),
  awsRegion: region.optional(),
  recipientAccountId: accountId.optional(),
  errorCode: z.string().optional(),
});

export const imageActionSchema = envelope.extend({
  source: z.literal('aws.ecr'),
  'detail-type': z.literal('ECR Image Action'),
  detail: z.object({
    'action-type': z.enum(['PUSH', 'DELETE']),
    result: z.string(),
    'repository-name': repositoryName,
    'image-digest': z.string().optional(),
    'image-tag': z.string().optional(),
  }),
});

export type ImageActionEvent = z.infer<typeof imageActionSchema>;

export const REPOSITORY_EVENT_NAMES = [
  'CreateRepository',
  'TagResource',
  'UntagResource',
  'DeleteRepository',
] as const;

export const repositoryChangeSchema = envelope
  .extend({
    source: z.literal('aws.ecr'),
    'detail-type': z.literal(CLOUDTRAIL_API_CALL),
    detail: cloudTrailRecord.extend({
      eventSource: z.literal('ecr.amazonaws.com'),
      eventName: z.enum(REPOSITORY_EVENT_NAMES),
      requestParameters: z
        .object({
          repositoryName: repositoryName.optional(),
          registryId: accountId.optional(),
          resourceArn: z.string().optional(),
        })
        .nullable(),
    }),
  })
  .refine(
    (event) =>
      Boolean(
        event.detail.requestParameters?.repositoryName ??
          event.detail.requestParameters?.resourceArn
      ),
    {
      message: 'requestParameters name no repository',
      path: ['detail', 'requestParameters'],
    }
  );

export type RepositoryChangeEvent = z.infer<typeof repositoryChangeSchema>;

export const PROJECT_EVENT_NAMES = [
  'CreateProject',
  'UpdateProject',
  'DeleteProject',
] as const;

const projectName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9\-_:/.]*$/, 'not a CodeBuild project name');

export const projectChangeSchema = envelope
  .extend({
    source: z.literal('aws.codebuild'),
    'detail-type': z.literal(CLOUDTRAIL_API_CALL),
    detail: cloudTrailRecord.extend({
      eventSource: z.literal('codebuild.amazonaws.com'),
      eventName: z.enum(PROJECT_EVENT_NAMES),
      requestParameters: z
        .object({ name: projectName.optional() })
        .nullable()
        .optional(),
      responseElements: z
        .object({
          project: z
            .object({ name: projectName, arn: z.string().optional() })
            .optional(),
        })
        .nullable()
        .optional(),
    }),
  })
  .refine(
    (event) =>
      Boolean(
        event.detail.responseElements?.project?.name ??
          event.detail.requestParameters?.name
      ),
    {
      message: 'the event names no build project',
      path: ['detail', 'requestParameters', 'name'],
    }
  );

export type ProjectChangeEvent = z.infer<typeof projectChangeSchema>;

const accountMovedSchema = envelope.extend({
  source: z.literal('aws.organizations'),
  'detail-type': z.literal(CLOUDTRAIL_API_CALL),
  detail: cloudTrailRecord.extend({
    eventSource: z.literal('organizations.amazonaws.com'),
    eventName: z.enum(['MoveAccount', 'RemoveAccountFromOrganization']),
    requestParameters: z.object({ accountId }),
  }),
});

const accountCreatedSchema = envelope.extend({
  source: z.literal('aws.organizations'),
  'detail-type': z.literal(CLOUDTRAIL_SERVICE_EVENT),
  detail: cloudTrailRecord.extend({
    eventSource: z.literal('organizations.amazonaws.com'),
    eventName: z.literal('CreateAccountResult'),
    serviceEventDetails: z.object({
      createAccountStatus: z.object({
        state: z.string(),
        accountId: accountId.optional(),
      }),
    }),
  }),
});

export const organizationChangeSchema = z.union([
  accountMovedSchema,
  accountCreatedSchema,
]);

export type OrganizationChangeEvent = z.infer<typeof organizationChangeSchema>;

/** The manual reconcile's invoke payload. */
export const manualReconcileSchema = z.strictObject({
  mode: z.enum(['plan', 'apply']),
  repository: z.string().min(1).max(1024).optional(),
  account: accountId.optional(),
});

export type ManualReconcileRequest = z.infer<typeof manualReconcileSchema>;

/** The sweep's schedule: an EventBridge Scheduler or rule event. */
export const scheduledEventSchema = envelope.extend({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;
