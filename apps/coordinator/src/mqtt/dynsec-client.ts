/**
 * Commands to Mosquitto's dynamic-security plugin over MQTT (`$CONTROL/dynamic-security/v1`),
 * each matched to its response by correlation data.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';

const COMMAND_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${COMMAND_TOPIC}/response`;

export type DynsecCommand = { command: string } & Record<string, unknown>;
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
}

export class DynsecError extends Error {
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`dynamic-security ${command}: ${reason}`);
    this.name = 'DynsecError';
  }
}

export class DynsecClient {
  readonly #waiting = new Map<string, (response: DynsecResponse) => void>();

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      if (topic !== RESPONSE_TOPIC) return;
      let parsed: { responses?: (DynsecResponse & { correlationData?: string })[] };
      try {
        parsed = JSON.parse(payload.toString('utf8'));
      } catch {
        return;
      }
      for (const response of parsed.responses ?? []) {
        const resolve = response.correlationData && this.#waiting.get(response.correlationData);
        if (resolve) resolve(response);
      }
    });
  }

  static async attach(client: MqttClient): Promise<DynsecClient> {
    const dynsec = new DynsecClient(client);
    await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
    return dynsec;
  }

  /**
   * Sends the commands in one message; resolves with one response per command, in order. The
   * default timeout grows with the message: Mosquitto 2.0 takes tens of ms per command once it
   * holds thousands of clients.
   */
  async run(commands: DynsecCommand[], timeoutMs = 5000 + 100 * commands.length): Promise<DynsecResponse[]> {
    const tagged = commands.map((c) => ({ ...c, correlationData: randomUUID() }));
    const responses = tagged.map(
      ({ correlationData, command }) =>
        new Promise<DynsecResponse>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.#waiting.delete(correlationData);
            reject(new DynsecError(command, `no response within ${timeoutMs} ms`));
          }, timeoutMs);
          this.#waiting.set(correlationData, (response) => {
            clearTimeout(timer);
            this.#waiting.delete(correlationData);
            resolve(response);
          });
        }),
    );
    // Awaited together, so that a failed publish leaves no response promise unobserved.
    const [, ...answers] = await Promise.all([
      this.client.publishAsync(COMMAND_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 }),
      ...responses,
    ]);
    return answers as DynsecResponse[];
  }

  /** Like run, but throws on the first error not listed in `tolerated`. */
  async expect(commands: DynsecCommand[], tolerated: RegExp = /$^/): Promise<DynsecResponse[]> {
    const responses = await this.run(commands);
    for (const r of responses) if (r.error && !tolerated.test(r.error)) throw new DynsecError(r.command, r.error);
    return responses;
  }
}
