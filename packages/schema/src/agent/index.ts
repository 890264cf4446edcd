export { godwitHeads, godwitRevisions, godwitState, godwitApplyLog, type ApplyLogRow } from './tables.js';
