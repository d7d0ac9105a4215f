/**
 * Pre-started server processes of a discoronode. Starting Node and loading the runtime takes a
 * server most of its start-up time, so the node keeps `count` idle processes that have loaded
 * their code and wait on IPC. Each is owned by a spare coroutine (`spare-<k>`), a child of the
 * `spares` Supervisor: it forks a process, waits for it to load, hands it over when a server
 * owner takes it (the process is then that owner's), and forks the next one a little later, so
 * that refilling does not compete with the servers being started. A spare whose process dies
 * fails, and the supervisor restarts it with backoff; if spares keep dying, the supervisor gives
 * up and servers are forked on demand.
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import type { Scheduler } from '../../../runtime/Scheduler.js';
import { checkWaitOptions, type WaitOptions } from '../../../runtime/options.js';
import { Wait, WaitKind } from '../../../runtime/Wait.js';
import { WaiterQueue } from '../../../runtime/WaiterQueue.js';
import type { ForkedProcess, ProcessOwner } from '../../../transports/io/ForkedProcess.js';
import { ProcessExit, ProcessMessage } from '../../../transports/io/ForkedProcess.js';
import { ask } from '../../ask.js';
import { ServerLostError } from '../../actorErrors.js';
import { Supervisor } from '../../Supervisor.js';
import type { ChildSpec } from '../../childSpec.js';
import { TakeSpare, type Reply } from './nodeMessages.js';

/** How long after a spare is taken its coroutine forks the next one. */
const REFILL_DELAY_MS = 1500;
const DUE = Symbol('refill due');

/** One spare coroutine's state, written by that coroutine only. */
interface SpareSlot {
  readonly coro: Coro<any, void>;
  process: ForkedProcess | undefined;
  warm: boolean;
}

/**
 * The idle processes a node keeps ready.
 * @example
 * ```ts
 * const spares = new SpareServers(2, (owner) => ForkedProcess.fork(serverMain, { owner }), () => {}, sched);
 * const sup = await Supervisor.start([spares.childSpec()], { scheduler: sched });
 * await spares.warm({ timeout: 10_000 });
 * const proc = await spares.take(coro); // a warm process if one is ready, else a new fork
 * ```
 */
export class SpareServers {
  private readonly slots = new Map<number, SpareSlot>();
  private readonly warmWaiters = new WaiterQueue();
  private readonly supervisor: Supervisor;

  /**
   * @param count spares to keep (0: every server is forked when a computation asks).
   * @param fork forks a fresh server process owned by `owner`.
   * @param changed told whenever a spare process is forked or ends.
   */
  constructor(
    readonly count: number,
    private readonly fork: (owner: ProcessOwner) => ForkedProcess,
    private readonly changed: () => void,
    private readonly scheduler: Scheduler,
  ) {
    const children = Array.from({ length: count }, (_, k) => ({ id: `spare-${k + 1}`, start: (coro: Coro<any, void>) => this.run(coro, k + 1), restart: 'permanent' as const }));
    this.supervisor = new Supervisor(children, { name: 'spares', maxRestarts: Math.max(5, 2 * count), withinMs: 30_000, backoff: { initialMs: 200, maxMs: 5000 } });
  }

  /** The spec that runs the spares under the node's supervisor (`temporary`: if they keep dying, servers are forked on demand). */
  childSpec(): ChildSpec {
    return this.supervisor.childSpec('spares', { restart: 'temporary' });
  }

  /** Pids of the spare processes now. */
  get pids(): number[] {
    return [...this.slots.values()].flatMap((s) => (s.process === undefined ? [] : [s.process.pid]));
  }

  /** Spares that have loaded their code. */
  get ready(): number {
    let n = 0;
    for (const s of this.slots.values()) if (s.warm) n++;
    return n;
  }

  /** Resolves true once every spare has loaded its code, false after `timeout` ms (a slow machine still serves: it forks on demand). */
  warm(options?: WaitOptions): Promise<boolean> {
    const timeout = checkWaitOptions(options);
    if (this.ready >= this.count) return Promise.resolve(true);
    const wait = new Wait<boolean>(this.scheduler, undefined, WaitKind.Other);
    wait.alarm = false;
    this.warmWaiters.push(wait);
    return wait.start(timeout, options?.signal);
  }

  /** A fresh process for `owner`: a warm spare if there is one, else one still loading, else a new fork. */
  async take(owner: Coro<any, any>): Promise<ForkedProcess> {
    for (const warmOnly of [true, false]) {
      for (const slot of [...this.slots.values()]) {
        if (slot.process === undefined || (warmOnly && !slot.warm)) continue;
        const reply = await ask<TakeSpare, Reply<ForkedProcess | undefined>>(slot.coro, (r) => new TakeSpare(owner, warmOnly, r)).catch(() => undefined);
        if (reply?.ok === true && reply.value !== undefined) return reply.value;
      }
    }
    const proc = this.fork(owner);
    this.changed();
    return proc;
  }

  /** The body of a spare coroutine: one idle process at a time, forever. */
  private async run(coro: Coro<any, void>, k: number): Promise<void> {
    const slot: SpareSlot = { coro, process: undefined, warm: false };
    this.slots.set(k, slot);
    try {
      for (;;) {
        const proc = (slot.process = this.fork(coro));
        this.changed();
        await this.offer(coro, slot, proc);
        this.changed();
        const until = performance.now() + REFILL_DELAY_MS;
        for (let left = REFILL_DELAY_MS; left > 0; left = until - performance.now()) {
          const m = await coro.receive({ timeout: left, alarm: DUE });
          if (m instanceof TakeSpare) m.replyTo.send({ ok: true, value: undefined });
        }
      }
    } finally {
      const proc = slot.process;
      slot.process = undefined;
      slot.warm = false;
      if (proc?.isAlive === true) {
        proc.kill();
        await proc.wait({ timeout: 5000 }); // without the coroutine: it may be terminated
      }
      this.changed();
    }
  }

  /** Waits for `proc` to load, then for a taker; throws ServerLostError if it dies first. */
  private async offer(coro: Coro<any, void>, slot: SpareSlot, proc: ForkedProcess): Promise<void> {
    for (;;) {
      const m = await coro.receive();
      if (m instanceof ProcessMessage && m.process === proc && (m.data as { type?: string })?.type === 'loaded') {
        slot.warm = true;
        if (this.ready >= this.count) for (const w of this.warmWaiters.drain()) w.wake(true);
      } else if (m instanceof ProcessExit && m.process === proc) {
        slot.process = undefined;
        slot.warm = false;
        throw new ServerLostError(`spare server process ${proc.pid} ended (code ${m.status.code}, signal ${m.status.signal})`);
      } else if (m instanceof TakeSpare) {
        if (m.warmOnly && !slot.warm) {
          m.replyTo.send({ ok: true, value: undefined });
          continue;
        }
        proc.connect(m.owner);
        slot.process = undefined;
        slot.warm = false;
        m.replyTo.send({ ok: true, value: proc });
        return;
      }
    }
  }
}
