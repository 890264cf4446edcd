export { tenants, operatorTokens, dashboardSessions, signingKeys } from './tenants.js';
export { devices } from './devices.js';
export { bundles, bundleRevisions } from './bundles.js';
export { rollouts, rolloutTargets, type RolloutState, type TargetStatus } from './rollouts.js';
export { deviceState, migrationEvents } from './device-state.js';
export { auditLog } from './audit.js';
export { currentTenant } from './tenant-policy.js';
