/**
 * The IPC channel between a process and the one it forked (`child_process.fork`), either end,
 * as a runtime primitive: messages are pulled with `recv({ timeout, signal })`, or delivered to a
 * coroutine's mailbox (`deliverTo`), followed by `IPC_CLOSED` once the channel closes, so that a
 * coroutine waits on its mailbox and the other process at once. No message is lost between the
 * two ways: what arrived before `deliverTo` is delivered first.
 * @module
 */
import type { ActingWaitOptions, MonitorTarget } from '../../runtime/coroTypes.js';
import { Deque } from '../../runtime/Deque.js';
import { checkWaitOptions } from '../../runtime/options.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Wait, WaitKind } from '../../runtime/Wait.js';
import { WaiterQueue } from '../../runtime/WaiterQueue.js';
import { IpcClosedError } from './ioErrors.js';

/**
 * What a mailbox fed by `deliverTo` receives after the last message: the channel has closed.
 * @example
 * ```ts
 * const m = await coro.receive();
 * if (m === IPC_CLOSED) return; // the other process is gone
 * ```
 */
export const IPC_CLOSED: unique symbol = Symbol('ipc closed');

/**
 * Either end of an IPC channel: `process` in a forked child, the `ChildProcess` in its parent.
 * @example
 * ```ts
 * const end: IpcEndpoint = process;
 * ```
 */
export interface IpcEndpoint {
  readonly connected: boolean;
  send?(message: unknown, sendHandle?: undefined, options?: undefined, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: any) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'message', listener: (message: any) => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
  disconnect?(): void;
}

/**
 * One end of an IPC channel.
 * @example
 * ```ts
 * const toParent = IpcPort.parent<{ type: 'ping' }, { type: 'pong' }>();
 * const m = await toParent.recv({ timeout: 5000, alarm: null });
 * if (m?.type === 'ping') toParent.send({ type: 'pong' });
 * ```
 */
export class IpcPort<In = unknown, Out = unknown> {
  private readonly inbox = new Deque<In>();
  private readonly readers = new WaiterQueue();
  private target: MonitorTarget | undefined = undefined;
  private open: boolean;
  private readonly onMessage = (message: In): void => this.received(message);
  private readonly onDisconnect = (): void => this.closed();

  /** Wraps `endpoint` (waits run on `scheduler`, default: the default scheduler). */
  constructor(private readonly endpoint: IpcEndpoint, private readonly scheduler: Scheduler = Scheduler.default()) {
    if (typeof endpoint?.send !== 'function') throw new InvalidArgumentError('an IPC port needs a process with an IPC channel');
    this.open = endpoint.connected;
    endpoint.on('message', this.onMessage);
    endpoint.on('disconnect', this.onDisconnect);
  }

  /**
   * The channel to this process's parent; InvalidArgumentError when it was not forked with one.
   * @example
   * ```ts
   * const toNode = IpcPort.parent(sched);
   * ```
   */
  static parent<In = unknown, Out = unknown>(scheduler?: Scheduler): IpcPort<In, Out> {
    return new IpcPort<In, Out>(process, scheduler);
  }

  /** True until the channel closes. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Sends a message (serialised by Node); false once the channel has closed. */
  send(message: Out): boolean {
    if (!this.open || !this.endpoint.connected) return false;
    try {
      this.endpoint.send!(message);
      return true;
    } catch {
      return false; // closed meanwhile: its 'disconnect' follows
    }
  }

  /**
   * Sends a message and resolves true once Node has handed it to the channel (for a last word
   * before exiting), false if the channel is closed or `timeout` passes first.
   * @example
   * ```ts
   * const ipc = IpcPort.parent();
   * await ipc.sent({ type: 'bye' }, { timeout: 1000 });
   * ```
   */
  sent(message: Out, options?: ActingWaitOptions): Promise<boolean> {
    const timeout = checkWaitOptions(options);
    if (!this.open || !this.endpoint.connected) return Promise.resolve(false);
    const wait = new Wait<boolean>(this.scheduler, this.scheduler.actor(options?.coro), WaitKind.Other);
    wait.alarm = false;
    wait.what = 'IPC';
    const promise = wait.start(timeout, options?.signal);
    try {
      this.endpoint.send!(message, undefined, undefined, (error) => void wait.wake(error === null));
    } catch {
      wait.wake(false);
    }
    return promise;
  }

  /**
   * The next message: `alarm` when `timeout` passes first, the signal's reason when it aborts;
   * IpcClosedError once the channel has closed and every message was read. InvalidArgumentError
   * after `deliverTo`.
   * @example
   * ```ts
   * const ipc = IpcPort.parent();
   * const m = await ipc.recv({ timeout: 1000, alarm: undefined });
   * ```
   */
  recv<A = undefined>(options?: ActingWaitOptions & { alarm?: A }): Promise<In | A> {
    const timeout = checkWaitOptions(options);
    if (this.target !== undefined) return Promise.reject(new InvalidArgumentError('this IPC port delivers to a mailbox'));
    if (this.inbox.length > 0) return this.scheduler.ready(this.inbox.shift()!);
    if (!this.open) return Promise.reject(new IpcClosedError('the IPC channel is closed'));
    const wait = new Wait<In | A>(this.scheduler, this.scheduler.actor(options?.coro), WaitKind.Other);
    wait.alarm = options?.alarm;
    wait.what = 'IPC';
    this.readers.push(wait);
    return wait.start(timeout, options?.signal);
  }

  /**
   * From now on every message goes to `target` (a coroutine): those already received first, then
   * each as it arrives, and `IPC_CLOSED` once the channel closes. Once per port.
   * @example
   * ```ts
   * const ipc = IpcPort.parent();
   * ipc.deliverTo(coro);
   * for (let m = await coro.receive(); m !== IPC_CLOSED; m = await coro.receive()) handle(m);
   * ```
   */
  deliverTo(target: MonitorTarget): void {
    if (target === null || typeof target !== 'object' || typeof target.send !== 'function') throw new InvalidArgumentError('deliverTo needs a coroutine (or anything with send)');
    if (this.target !== undefined) throw new InvalidArgumentError('this IPC port already delivers to a mailbox');
    this.target = target;
    while (this.inbox.length > 0) target.send(this.inbox.shift());
    if (!this.open) target.send(IPC_CLOSED);
  }

  /** Closes the channel (the other end sees it close); idempotent. */
  close(): void {
    if (this.open && this.endpoint.connected) this.endpoint.disconnect?.();
    this.closed();
  }

  private received(message: In): void {
    if (this.target !== undefined) {
      this.target.send(message);
      return;
    }
    const reader = this.readers.shift();
    if (reader === undefined || !reader.wake(message)) this.inbox.push(message);
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    this.endpoint.off('message', this.onMessage);
    this.endpoint.off('disconnect', this.onDisconnect);
    this.target?.send(IPC_CLOSED);
    for (const w of this.readers.drain()) w.fail(new IpcClosedError('the IPC channel closed'));
  }
}
