import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Telemetry } from '../routing/types.js';

const SERVICE = 'ecr-pull-reconciler';

/** One Logger, Metrics and Tracer per process, as Powertools intends. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE,
});
export const metrics = new Metrics({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EcrPullReconciler',
});
export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE,
});

export const powertoolsTelemetry: Telemetry = {
  logger: {
    info: (message, attributes = {}) => logger.info(message, attributes),
    warn: (message, attributes = {}) => logger.warn(message, attributes),
    error: (message, attributes = {}) => logger.error(message, attributes),
  },
  count(metric, value = 1, dimensions) {
    if (!dimensions) {
      metrics.addMetric(metric, MetricUnit.Count, value);
      return;
    }
    // A dimension on the shared instance would apply to every metric of
    // the invocation; a single metric carries its own.
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(metric, MetricUnit.Count, value);
  },
};
