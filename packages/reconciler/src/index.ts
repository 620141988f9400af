export * from './logger.js';
export * from './reconciler.js';
export * from './report.js';
export * from './explain.js';
