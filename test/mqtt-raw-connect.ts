/**
 * An MQTT 3.1.1 CONNECT written byte by byte, for what a real client library will not send (a
 * username with a NUL, a password that is not UTF-8); resolves with the CONNACK return code, or
 * null when the connection ends (closed or reset) without one.
 */
import { connect } from 'node:net';

export function rawConnect(port: number, fields: { clientId: string | Buffer; username: string | Buffer; password: string | Buffer }): Promise<number | null> {
  const field = (value: string | Buffer) => {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  // Protocol name, level 4, flags: username, password, clean session; keep-alive 60 s.
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xc2, 0x00, 0x3c]);
  const body = Buffer.concat([variable, field(fields.clientId), field(fields.username), field(fields.password)]);
  const packet = Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(packet));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received[0] === 0x20) {
        socket.destroy();
        resolve(received[3]!);
      }
    });
    socket.once('close', () => resolve(null));
    socket.once('error', () => resolve(null));
  });
}

/** MQTT's variable-length integer: seven bits a byte, the high bit saying more follows. */
function remainingLength(length: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return bytes;
}
