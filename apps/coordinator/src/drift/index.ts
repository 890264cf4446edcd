export { assessDrift, type DriftReason, type DriftVerdict, type ExpectedRevision, type ReportedSchemaState } from './assess-drift.js';
