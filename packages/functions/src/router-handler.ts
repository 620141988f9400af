import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { ParsedResult } from '@aws-lambda-powertools/parser/types';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { rejected, settle } from './routing/route.js';
import type { RouteResult, Telemetry } from './routing/types.js';
import {
  logger,
  metrics,
  powertoolsTelemetry,
  tracer,
} from './runtime/telemetry.js';

interface Issue {
  message: string;
  path?: readonly (PropertyKey | { key: PropertyKey })[];
}

/** The parser's issues as one line a person can act on. */
export function describeIssues(error: Error): string {
  const issues = Array.isArray(error.cause) ? (error.cause as Issue[]) : [];
  if (issues.length === 0) return error.message;

  return issues
    .map((issue) => {
      const path = (issue.path ?? [])
        .map((part) => String(typeof part === 'object' ? part.key : part))
        .join('.');

      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function eventIdOf(event: unknown): string | undefined {
  const id = (event as { id?: unknown } | null)?.id;

  return typeof id === 'string' ? id : undefined;
}

/**
 * Tracing, the Lambda context in every log line, and metrics flushed at
 * the end of each invocation; metrics only when they go to Powertools.
 */
export function withPowertools<Event, Result>(
  handler: middy.MiddyfiedHandler<Event, Result, Error, Context>,
  options: RouterHandlerOptions
): middy.MiddyfiedHandler<Event, Result, Error, Context> {
  handler.use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger));
  if (!options.telemetry) handler.use(logMetrics(metrics));

  return handler;
}

/** A router as Lambda (or a local run) calls it. */
export type RouterHandler = (
  event: unknown,
  context: Context
) => Promise<RouteResult>;

export interface RouterHandlerOptions {
  /** Replaces Powertools' logs and metrics, e.g. to observe them in tests. */
  telemetry?: Telemetry;
}

/**
 * The middy adapter every router shares: tracing, Lambda context in the
 * logs, metrics flushed per invocation, and the parser in safe mode. A
 * malformed event is answered, logged and counted, never thrown: Lambda
 * would retry an asynchronous event that can never parse.
 */
export function routerHandler<Schema extends z.ZodType>(
  schema: Schema,
  route: (
    event: z.output<Schema>,
    telemetry: Telemetry,
    context: Context
  ) => Promise<RouteResult>,
  options: RouterHandlerOptions = {}
) {
  const telemetry = options.telemetry ?? powertoolsTelemetry;

  const handler = withPowertools(
    middy<unknown, RouteResult, Error, Context>(),
    options
  )
    .use(parser({ schema, safeParse: true }))
    .handler(async (event, context) => {
      const parsed = event as ParsedResult<unknown, z.output<Schema>>;
      if (!parsed.success) {
        return settle(telemetry, rejected(describeIssues(parsed.error)), {
          eventId: eventIdOf(parsed.originalEvent),
        });
      }

      return route(parsed.data, telemetry, context);
    });

  // The parser middleware types the event as its parse result; callers
  // hand in whatever EventBridge (or a local run) delivers.
  return handler as unknown as RouterHandler;
}
