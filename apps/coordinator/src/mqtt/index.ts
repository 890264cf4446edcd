export { startMqtt, type BundleDelivery, type MqttService, type StartMqttOptions } from './start-mqtt.js';
export type { DeviceAccess, DeviceGrant } from './device-access.js';
export { deviceTopic, channelRoot, deviceRoot, parseDeviceTopic, SHARED_STATE_SUBSCRIPTION } from './topics.js';
