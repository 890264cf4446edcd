export * from './agent/index.js';
export * as coordinator from './coordinator/index.js';
export * as example from './example/index.js';
