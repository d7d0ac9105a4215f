/**
 * How a coroutine runs and ends: starting its function, hot swaps, termination,
 * thrown errors, monitors and results. Internal layer of {@link Coro}.
 * @module
 */
import { CoroFinishedError, CoroTerminatedError, InvalidArgumentError, TimeoutError } from './runtimeErrors.js';
import { MonitorStatus } from './MonitorStatus.js';
import { checkFunction, checkWaitOptions } from './options.js';
import type { CoroBody, MonitorTarget, Outcome } from './coroTypes.js';
import { Ended, HELD, Running, type CoroExtras } from './CoroState.js';
import type { Mailbox } from './Mailbox.js';
import { CoroWaits } from './CoroWaits.js';
import { currentTracker } from './coroTracker.js';
import { Wait, WaitKind } from './Wait.js';
import { WaiterQueue } from './WaiterQueue.js';
import { type ActingWaitOptions } from './coroTypes.js';


/** What finish() returns to value() when the timeout passes. */
const NO_VALUE = Symbol('no value');

/**
 * Lifecycle of a coroutine: control, monitors, results.
 * @example
 * ```ts
 * worker.terminate(); await worker.finish({ timeout: 100 });
 * ```
 */
export abstract class CoroLifecycle<M, R> extends CoroWaits<M, R> implements MonitorTarget {
  /** Queues a message (implemented by Coro). */
  abstract send(message: M): boolean;

  // ---------------------------------------------------------------- control

  /**
   * Raises `error` inside the coroutine at its pending runtime call (or its next one).
   * @example
   * ```ts
   * worker.throw(new Error('reconfigure'));
   * ```
   */
  throw(error: Error): void {
    this.mustBeAlive('throw into');
    if (!(error instanceof Error)) throw new InvalidArgumentError('throw() needs an Error instance');
    if (this.failAWait(error)) return;
    (this.extras().thrown ??= []).push(error);
    this.syncInterrupt();
  }

  /**
   * Ends the coroutine: its pending runtime call (or next one) throws CoroTerminatedError and
   * its `signal` aborts. Returns false if it had already ended.
   * @example
   * ```ts
   * worker.terminate();
   * ```
   */
  terminate(): boolean {
    if (this.state === Ended) return false;
    const x = this.extras();
    if (x.terminating) return true;
    const reason = (x.terminating = new CoroTerminatedError(`${this} was terminated`));
    this.syncInterrupt();
    x.abort?.abort(reason);
    this.failAllWaits(reason);
    return true;
  }

  /**
   * Declares whether the coroutine accepts hot swaps now. Must be re-armed after each swap.
   * @example
   * ```ts
   * coro.hotSwappable(true);
   * ```
   */
  hotSwappable(flag = true): void {
    const x = this.extras();
    x.swappable = flag;
    this.syncInterrupt();
    if (flag && x.swap !== undefined) this.deliverSwap();
  }

  /**
   * Replaces the coroutine's function with `fn(coro, ...args)` at its next safe point (a receive
   * or sleep while hot-swappable), keeping its identity and queued messages. The running function
   * receives a HotSwapRequest it may catch to refuse.
   * @example
   * ```ts
   * server.hotSwap(serverV2, 'config.json');
   * ```
   */
  hotSwap<A extends unknown[]>(fn: (coro: this, ...args: A) => R | Promise<R>, ...args: A): void {
    this.mustBeAlive('hot swap');
    checkFunction(fn, 'hot swap function');
    const x = this.extras();
    x.swap = { fn: fn as CoroBody, args };
    this.syncInterrupt();
    if (x.swappable) this.deliverSwap();
  }

  /** Interrupts the pending receive or sleep with the swap, if there is one. */
  private deliverSwap(): void {
    const fail = this.swapPoint();
    if (fail !== undefined) fail(this.takeSwap());
  }

  // ---------------------------------------------------------------- monitors and results

  /**
   * Makes this coroutine a monitor of `other`: when `other` ends, this one receives a
   * MonitorStatus message. Monitoring one that has already ended reports at once.
   * @example
   * ```ts
   * await supervisor.monitor(worker);
   * ```
   */
  async monitor(other: { notify(monitor: MonitorTarget): void | Promise<void> }): Promise<void> {
    if (other === null || typeof other !== 'object' || typeof other.notify !== 'function') {
      throw new InvalidArgumentError('monitor() needs a coroutine or remote coroutine reference');
    }
    await other.notify(this);
  }

  /**
   * Installs `monitor` as a monitor of this coroutine (the reverse of `monitor`).
   * @example
   * ```ts
   * worker.notify(supervisor);
   * ```
   */
  notify(monitor: MonitorTarget): void {
    if (monitor === null || typeof monitor !== 'object' || typeof monitor.send !== 'function') {
      throw new InvalidArgumentError('monitor must be a coroutine or remote coroutine reference');
    }
    if (this.outcome !== undefined) monitor.send(this.status());
    else (this.extras().monitors ??= new Set()).add(monitor);
  }

  /**
   * Removes a monitor installed with `notify` (or `monitor`); false if it was not installed.
   * @example
   * ```ts
   * worker.demonitor(watcher);
   * ```
   */
  demonitor(monitor: MonitorTarget): boolean {
    return this.x?.monitors?.delete(monitor) ?? false;
  }

  /**
   * @internal Fails `wait` with CoroFinishedError (its `reason` and, as `cause`, its error) if
   * this coroutine ends while the wait is pending: how `ask` watches its target. An intrusive
   * queue, so watching allocates nothing; the wait leaves it when it settles otherwise (a reply
   * removes it with `wait.queue?.remove(wait)`). Returns false, and queues nothing, once ended.
   */
  watchEnd(wait: Wait<any>): boolean {
    if (this.outcome !== undefined) return false;
    (this.extras().endWatchers ??= new WaiterQueue()).push(wait);
    return true;
  }

  /**
   * Waits for the coroutine to end: resolves with its value, rejects with its error (or
   * CoroTerminatedError); returns `alarm` if `timeout` passes first.
   * @example
   * ```ts
   * const result = await worker.finish({ timeout: 5000, alarm: null });
   * ```
   */
  async finish<A = undefined>(options?: ActingWaitOptions & { alarm?: A }): Promise<R | A> {
    const timeout = checkWaitOptions(options);
    const owner = this.scheduler.actor(options?.coro);
    if (options?.signal?.aborted) throw options.signal.reason;
    if (this.outcome === undefined) {
      const wait = new Wait<boolean>(this.scheduler, owner, WaitKind.Other);
      wait.what = `finish of ${this}`;
      wait.alarm = false;
      (this.extras().finishWaiters ??= new WaiterQueue()).push(wait);
      const ended = wait.start(timeout, options?.signal);
      // Awaited from outside any coroutine with no deadline: held like a pending socket (a daemon's end holds nothing else).
      if (timeout === Infinity && owner === undefined) this.scheduler.holdUntil(ended);
      if (!(await ended)) return options?.alarm as A;
    } else {
      await this.scheduler.ready(undefined); // budgeted: polling an ended coroutine must not starve I/O
    }
    const { reason, value, error } = this.outcome!;
    if (reason === 'finished') return value as R;
    throw reason === 'terminated' ? new CoroTerminatedError(`${this} was terminated`) : error;
  }

  /**
   * The coroutine's result: resolves with its value, rejects with its error (or
   * CoroTerminatedError), and with TimeoutError when `timeout` ms pass first.
   * @example
   * ```ts
   * log(await coro.value({ timeout: 5000 }));
   * ```
   */
  async value(options?: ActingWaitOptions): Promise<R> {
    const outcome = await this.finish({ ...options, alarm: NO_VALUE });
    if (outcome === NO_VALUE) throw new TimeoutError(`${this} did not end within ${options?.timeout} ms`);
    return outcome as R;
  }

  /** @internal Called by the scheduler's start queue. */
  start(): void {
    const fn = this.resolver as CoroBody;
    const args = this.awaited as unknown[];
    this.resolver = this.awaited = undefined;
    this.run(fn, args);
  }

  /** Runs `fn` as the coroutine's body (again after a hot swap). */
  protected run(fn: CoroBody, args: unknown[]): void {
    const terminating = this.x?.terminating;
    if (terminating !== undefined) return this.end({ reason: 'terminated', error: terminating });
    this.state = Running;
    let result: R | Promise<R>;
    try {
      result = this.invoke(fn, args);
    } catch (error) {
      return this.threw(error);
    }
    // Bound handlers instead of an async frame or closures: an idle coroutine costs less memory.
    if (result !== null && typeof (result as Promise<R>)?.then === 'function') {
      (result as Promise<R>).then(this.returned.bind(this), this.threw.bind(this));
    } else this.returned(result as R);
  }

  /** Calls the function. */
  protected invoke(fn: CoroBody, args: unknown[]): R | Promise<R> {
    // The tracker is process-wide once any scheduler enables it: coroutines of schedulers that do
    // not track run with no current coroutine, rather than inheriting their creator's.
    const tracker = currentTracker();
    const self = this.self;
    if (tracker === undefined) return (args.length === 0 ? fn(self) : fn(self, ...args)) as R | Promise<R>;
    return tracker.run(this.scheduler.tracker !== undefined ? self : undefined, () => fn(self, ...args)) as R | Promise<R>;
  }

  protected returned(value: R): void {
    const terminating = this.x?.terminating;
    this.end(terminating !== undefined ? { reason: 'terminated', error: terminating } : { reason: 'finished', value });
  }

  protected threw(error: unknown): void {
    const x = this.x;
    // However it unwound, a terminated coroutine reports its CoroTerminatedError.
    if (x?.terminating !== undefined) return this.end({ reason: 'terminated', error: x.terminating });
    const delivered = x?.swapDelivered;
    if (delivered !== undefined && error === delivered.request) {
      x!.swapDelivered = undefined;
      x!.swappable = false;
      this.syncInterrupt();
      this.scheduler.logger.debug({ coro: String(this) }, 'hot swapped');
      return this.run(delivered.swap.fn, delivered.swap.args);
    }
    this.end({ reason: 'failed', error });
  }

  protected end(outcome: Outcome): void {
    this.state = Ended;
    this.outcome = outcome;
    this.abandonWaits();
    const x = this.x;
    if (x !== undefined) {
      x.swap = x.swapDelivered = undefined;
      const owned = x.owned;
      x.owned = undefined;
      if (owned !== undefined) {
        for (const r of owned) {
          try {
            r.ownerEnded(this.self);
          } catch (err) {
            this.scheduler.logger.error({ coro: String(this), err }, 'releasing a resource of an ended coroutine failed');
          }
        }
      }
    }
    if (this.mailbox !== undefined || (this.flags & HELD) !== 0) this.closeMailbox();
    if (outcome.reason === 'failed') this.reportCrash(outcome.error);
    if (x !== undefined) this.tellWatchers(x, outcome);
    this.scheduler.retire(this.self);
  }

  /** Drops what is queued (logged) and fails the deliveries waiting for room. */
  private closeMailbox(): void {
    const discarded = this.pending;
    const box = (this.flags & HELD) !== 0 ? undefined : (this.mailbox as Mailbox<M> | undefined);
    this.mailbox = undefined;
    this.flags &= ~HELD;
    if (box !== undefined) for (const w of box.close()) w.fail(new CoroFinishedError(`${this} has ended`));
    if (discarded > 0) this.scheduler.logger.debug({ coro: String(this), discarded }, 'coroutine ended with queued messages');
  }

  /** Tells monitors, finish() waiters and end watchers that it ended. */
  private tellWatchers(x: CoroExtras, outcome: Outcome): void {
    if (x.monitors !== undefined) {
      const status = this.status();
      for (const m of x.monitors) {
        // A monitor that cannot take the status (full mailbox, lost peer) must not stop this coroutine's end.
        try {
          m.send(status);
        } catch (err) {
          this.scheduler.deadLetter(m, 'monitor status not delivered', err);
        }
      }
      x.monitors = undefined;
    }
    if (x.finishWaiters !== undefined) for (const w of x.finishWaiters.drain()) w.wake(true);
    if (x.endWatchers !== undefined && x.endWatchers.length > 0) {
      const ended = new CoroFinishedError(`${this} ended (${outcome.reason}) before it replied`, { cause: outcome.error });
      ended.reason = outcome.reason;
      for (const w of x.endWatchers.drain()) w.fail(ended);
    }
    x.endWatchers = undefined;
  }

  /**
   * A crash report: an error line when nobody handles the failure (no monitor but passive ones,
   * no finish() waiting), an info line when a monitor or a waiter will see it.
   */
  private reportCrash(error: unknown): void {
    const x = this.x;
    let handled = x?.finishWaiters !== undefined && x.finishWaiters.length > 0;
    if (!handled && x?.monitors !== undefined) for (const m of x.monitors) if (m.passive !== true) handled = true;
    const entry = { coro: String(this), name: this.name, id: this.id, err: error };
    if (handled) this.scheduler.logger.info(entry, 'uncaught exception in coroutine');
    else this.scheduler.logger.error(entry, 'uncaught exception in coroutine');
  }
}
