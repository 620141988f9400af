import type { Context } from 'aws-lambda';
import { createHandler as codebuildProjectChange } from '../codebuild-project-change.js';
import { createHandler as ecrImageAction } from '../ecr-image-action.js';
import { createHandler as ecrRepositoryChange } from '../ecr-repository-change.js';
import { createHandler as manualReconcile } from '../manual-reconcile.js';
import { createHandler as organizationChange } from '../organization-change.js';
import { createHandler as reconcileWorker } from '../reconcile-worker.js';
import type { RouterHandlerOptions } from '../router-handler.js';
import { createHandler as sweep } from '../sweep.js';

/**
 * Every handler by the name `invoke` takes, which is also its file name
 * under packages/functions/src.
 */
export const HANDLER_FACTORIES = {
  'ecr-image-action': ecrImageAction,
  'ecr-repository-change': ecrRepositoryChange,
  'codebuild-project-change': codebuildProjectChange,
  'organization-change': organizationChange,
  'reconcile-worker': reconcileWorker,
  sweep,
  'manual-reconcile': manualReconcile,
} as const;

export type HandlerName = keyof typeof HANDLER_FACTORIES;

export const HANDLER_NAMES = Object.keys(HANDLER_FACTORIES) as HandlerName[];

export function isHandlerName(name: string): name is HandlerName {
  return Object.hasOwn(HANDLER_FACTORIES, name);
}

export type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

export function createLocalHandler(
  name: HandlerName,
  options: RouterHandlerOptions = {}
): AnyHandler {
  return HANDLER_FACTORIES[name](options) as AnyHandler;
}
