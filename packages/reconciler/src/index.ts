export * from './access.js';
export * from './access-matrix.js';
export * from './access-report.js';
export * from './explain.js';
export * from './logger.js';
export * from './reconciler.js';
export * from './report.js';
