import type { LoadedBundle } from '../bundle/load-bundle.js';

/**
 * One migration at a time. A bundle that arrives while one runs waits; of several waiting, only
 * the newest (by sequence) is kept, since a bundle carries its whole revision chain.
 */
export class ApplyQueue {
  #next: LoadedBundle | null = null;
  #running: Promise<void> | null = null;

  constructor(private readonly execute: (bundle: LoadedBundle) => Promise<void>) {}

  get busy(): boolean {
    return this.#running !== null;
  }

  submit(bundle: LoadedBundle): void {
    if (this.#next === null || bundle.manifest.sequence > this.#next.manifest.sequence) this.#next = bundle;
    this.#running ??= this.#drain();
  }

  /** Resolves once nothing runs or waits. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Forgets what waits (at shutdown: the bundle is on disk and is applied at the next start). */
  clear(): void {
    this.#next = null;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#next) {
        const bundle = this.#next;
        this.#next = null;
        await this.execute(bundle);
      }
    } finally {
      this.#running = null;
    }
  }
}
