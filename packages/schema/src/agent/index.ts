export { godwitHeads, godwitRevisions, godwitState, godwitApplyLog, type ApplyLogRow } from './tables.js';
export { AGENT_TABLES_DDL, AGENT_STATE_ROW_ID } from './ddl.js';
