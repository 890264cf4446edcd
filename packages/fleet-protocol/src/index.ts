export {
  decodeAck,
  decodePresence,
  decodeReport,
  encodeAck,
  encodeNextReport,
  encodePresence,
  encodeReport,
  validateMigrationResult,
  validateReport,
  MAX_ERROR_CHARS,
  MAX_EVENTS_PER_REPORT,
  MAX_LAST_RESULTS,
  MAX_TABLE_NAME_CHARS,
  MAX_TABLE_SIZES,
  MAX_REPORT_BYTES,
  OUTCOMES,
  PROTOCOL_VERSION,
  type Ack,
  type MigrationEvent,
  type MigrationResult,
  type Outcome,
  type PresenceMessage,
  type ReportContent,
  type StateReport,
  type TableSize,
} from './messages.js';
export { firstUnstorableString, isStorableText } from './storable-text.js';
export { msgpackStringsAreUtf8 } from './msgpack-utf8.js';
export { ProtocolError, type ProtocolErrorCode } from './protocol-error.js';
export {
  channelRoot,
  deviceRoot,
  deviceTopic,
  isTopicLevel,
  parseDeviceTopic,
  ROOT,
  SHARED_PRESENCE_SUBSCRIPTION,
  SHARED_STATE_SUBSCRIPTION,
  type DeviceDownTopic,
  type DeviceTopic,
  type DeviceUpTopic,
} from './topics.js';
export { mayPublish, maySubscribe, type AclPrincipal } from './topic-acl.js';
