import { decodeCommand, type Command } from '@godwit/fleet-protocol';
import type { Logger } from './logger.js';

/** Command ids remembered, so that a QoS 1 redelivery of a command is acted on once. */
const IDS_KEPT = 64;

export interface CommandTarget {
  /** Forgets that the bundle with these bytes was handled. */
  forgetBundle(sha256: string): void;
  /** Takes the retained bundle topic again (when offline, the next connect does it). */
  refetchBundle(): Promise<void>;
  log: Logger;
}

/**
 * What the daemon does with a message on its `cmd` topic. `retry`: the bundle is taken again from
 * the retained topic, which holds what the coordinator wants on the device now (a paused rollout
 * has withdrawn it, a newer bundle has replaced it), and goes through every check a first delivery
 * does: a bundle the database is already at stays a no-op.
 */
export function commandHandler(target: CommandTarget): (payload: Buffer) => void {
  const done: string[] = [];
  return (payload) => {
    let command: Command;
    try {
      command = decodeCommand(payload);
    } catch (error) {
      return target.log('command-refused', { message: (error as Error).message });
    }
    if (done.includes(command.id)) return target.log('command-duplicate', { id: command.id });
    done.push(command.id);
    if (done.length > IDS_KEPT) done.shift();
    target.log('retry', { id: command.id, sha256: command.bundle.slice(0, 12) });
    target.forgetBundle(command.bundle);
    target.refetchBundle().catch((error: Error) => target.log('error', { during: 'retry', message: error.message }));
  };
}
