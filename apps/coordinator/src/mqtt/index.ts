export { startMqtt, type BundleDelivery, type MqttService, type StartMqttOptions } from './start-mqtt.js';
export type { DeviceAccess, DeviceGrant } from './device-access.js';
export type { DynsecMode } from './external-broker.js';
