export * from './agent/index.js';
export * as coordinator from './coordinator/index.js';
