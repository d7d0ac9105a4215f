/**
 * Pre-started server processes of a discoronode. Starting Node and loading the runtime takes a
 * server most of its start-up time, so the node keeps one idle process per CPU that has loaded
 * its code and waits on IPC. A computation takes fresh ones: a spare has never served anything,
 * serves one computation only and is removed with it, as a process forked on demand would be.
 * Spares taken are replaced a little later, so that refilling does not compete with the servers
 * being started.
 * @module
 */
import { ServerProcess } from './ServerProcess.js';

/** How long after a spare is taken the pool forks its replacement. */
const REFILL_DELAY_MS = 1500;

/**
 * The idle processes a node keeps ready.
 * @example
 * ```ts
 * const spares = new SpareServers(2, () => {});
 * await spares.fill({ timeout: 10_000 });
 * const server = spares.take(); // a warm process if one is ready, else a new fork
 * await spares.close();
 * ```
 */
export class SpareServers {
  private readonly idle: ServerProcess[] = [];
  private refill: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * @param count spares to keep (0: fork every server on demand).
   * @param changed told whenever the set of spare pids changes (the node records them for `--clean`).
   */
  constructor(private readonly count: number, private readonly changed: () => void) {}

  /** Pids of the spares now. */
  get pids(): number[] {
    return this.idle.map((p) => p.pid);
  }

  /** Spares that have loaded their code. */
  get ready(): number {
    return this.idle.filter((p) => p.isWarm).length;
  }

  /** Forks spares up to the count; resolves when they are warm, or after `timeout` ms (a slow machine still serves: it forks on demand). */
  async fill(options?: { timeout?: number }): Promise<void> {
    while (!this.closed && this.idle.length < this.count) {
      const proc = ServerProcess.fork();
      proc.onExit = () => this.forget(proc);
      this.idle.push(proc);
    }
    this.changed();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, options?.timeout ?? 10_000)));
    await Promise.race([Promise.all(this.idle.map((p) => p.warm)), late]);
    clearTimeout(timer);
  }

  /** A fresh process for a server: a warm spare if there is one, else any spare, else a new fork. */
  take(): ServerProcess {
    const k = this.idle.findIndex((p) => p.isWarm);
    const proc = k >= 0 ? this.idle.splice(k, 1)[0]! : (this.idle.shift() ?? ServerProcess.fork());
    proc.onExit = undefined;
    this.changed();
    if (!this.closed && this.count > 0 && this.refill === undefined) {
      this.refill = setTimeout(() => {
        this.refill = undefined;
        void this.fill();
      }, REFILL_DELAY_MS).unref();
    }
    return proc;
  }

  /** Stops the spares and forks no more. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refill);
    const all = this.idle.splice(0);
    for (const p of all) p.kill();
    await Promise.all(all.map((p) => p.exitedPromise()));
    this.changed();
  }

  private forget(proc: ServerProcess): void {
    const k = this.idle.indexOf(proc);
    if (k >= 0) this.idle.splice(k, 1);
    this.changed();
  }
}
