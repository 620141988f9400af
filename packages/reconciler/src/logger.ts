/**
 * The audit log the reconciler writes to: one line per decision a person
 * would check. Powertools' Logger fits it; the command line passes its own.
 */
export interface AuditLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export const silentLogger: AuditLogger = {
  info() {},
  warn() {},
  error() {},
};
