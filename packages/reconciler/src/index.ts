export * from './explain.js';
export * from './logger.js';
export * from './reconciler.js';
export * from './report.js';
