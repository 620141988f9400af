export * from './errors.js';
export * from './moto-server.js';
export * from './sample-organization.js';
export * from './seed.js';
