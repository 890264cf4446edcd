export { main } from './cli/main.js';
export { AgentError, type AgentErrorCode } from './errors.js';
export { EXIT_CODES } from './cli/exit-codes.js';
