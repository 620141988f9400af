export * from './errors.js';
export * from './moto-server.js';
