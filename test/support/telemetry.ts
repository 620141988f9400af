import type {
  MetricName,
  Telemetry,
} from '../../packages/functions/src/routing/types.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** Keeps every log line and metric a handler emits, for assertions. */
export class RecordingTelemetry implements Telemetry {
  readonly lines: LogLine[] = [];
  readonly metrics: {
    metric: MetricName;
    value: number;
    dimensions: Record<string, string>;
  }[] = [];

  readonly logger = {
    info: (message: string, attributes: Record<string, unknown> = {}) =>
      this.lines.push({ level: 'info', message, attributes }),
    warn: (message: string, attributes: Record<string, unknown> = {}) =>
      this.lines.push({ level: 'warn', message, attributes }),
    error: (message: string, attributes: Record<string, unknown> = {}) =>
      this.lines.push({ level: 'error', message, attributes }),
  };

  count(metric: MetricName, value = 1, dimensions = {}) {
    this.metrics.push({ metric, value, dimensions });
  }

  /** The sum of one metric, optionally of one dimension value. */
  total(metric: MetricName, dimensions: Record<string, string> = {}): number {
    return this.metrics
      .filter(
        (entry) =>
          entry.metric === metric &&
          Object.entries(dimensions).every(
            ([key, value]) => entry.dimensions[key] === value
          )
      )
      .reduce((sum, entry) => sum + entry.value, 0);
  }

  clear() {
    this.lines.length = 0;
    this.metrics.length = 0;
  }
}
