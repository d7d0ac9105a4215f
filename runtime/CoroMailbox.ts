/**
 * The messaging side of a coroutine: `send` and `deliver` into its mailbox, `receive` (selective,
 * with a timeout), `poll` and `messages`. A receive waits in the coroutine's own wait (see
 * CoroWaits), so the hot paths, a send to a coroutine waiting in a plain receive and a receive
 * with nothing pending, are a few checks of one flags field. Internal layer of {@link Coro}.
 * @module
 */
import { ConcurrentReceiveError, CoroFinishedError } from './runtimeErrors.js';
import { Mailbox } from './Mailbox.js';
import { checkFunction, checkSendOptions, checkWaitOptions, type SendOptions } from './options.js';
import { Wait, WaitKind, type WaitOwner } from './Wait.js';
import { CoroLifecycle } from './CoroLifecycle.js';
import { DAEMON, Ended, HELD, OWN_RECEIVE, OWN_WAIT, REGISTERED, Running, Scheduled, STATE } from './CoroState.js';
import type { ActingWaitOptions, ReceiveOptions } from './coroTypes.js';

/**
 * Messages of a coroutine.
 * @example
 * ```ts
 * // internal: Coro extends CoroMailbox extends CoroLifecycle extends CoroWaits extends CoroState
 * ```
 */
export abstract class CoroMailbox<M, R> extends CoroLifecycle<M, R> {
  /**
   * Queues a message; never blocks. Returns false when the coroutine has ended (the message
   * becomes a dead letter). A full bounded mailbox applies its overflow policy. `transfer` (see
   * SendOptions) matters only to a coroutine on another thread: here nothing is copied.
   * @example
   * ```ts
   * server.send({ from: coro, n: 1 });
   * ```
   */
  send(message: M, options?: SendOptions): boolean {
    if (options !== undefined) checkSendOptions(options);
    const counts = this.scheduler.counters;
    // The hot path: a running coroutine waiting in a plain receive takes the message at once.
    if ((this.flags & (STATE | OWN_WAIT)) === (Running | OWN_RECEIVE) && (this.x === undefined || this.x.filter === undefined)) {
      counts.sent++;
      counts.received++;
      this.settleOwnWait(message);
      return true;
    }
    if (this.state === Ended) {
      this.scheduler.deadLetter(this, 'ended');
      return false;
    }
    if (this.handToReceiver(message)) return true;
    if (this.holdFirst(message)) return true;
    const box = this.box!;
    if (box.capacity === Infinity) {
      box.push(message);
      counts.sent++;
      if (box.length > counts.mailboxHighWater) counts.mailboxHighWater = box.length;
      return true;
    }
    if (box.overflow === 'reject' && box.full) counts.rejected++; // enqueue throws MailboxFullError
    if (!box.enqueue(message)) return false;
    counts.sent++;
    if (box.length > counts.mailboxHighWater) counts.mailboxHighWater = box.length;
    return true;
  }

  /** Gives `message` to the pending receive if there is one and it takes it. */
  private handToReceiver(message: M): boolean {
    if ((this.flags & OWN_WAIT) === 0 && (this.x === undefined || this.x.receiver === undefined)) return false;
    const counts = this.scheduler.counters;
    if ((this.flags & OWN_WAIT) === OWN_RECEIVE) {
      if (!this.accepts(this.x?.filter, message, (err) => this.failOwnWait(err))) return false;
      counts.sent++;
      counts.received++;
      this.settleOwnWait(message);
      return true;
    }
    const receiver = this.x?.receiver;
    if (receiver === undefined || !this.accepts(receiver.data as ((m: M) => boolean) | undefined, message, (err) => receiver.fail(err))) return false;
    counts.sent++;
    counts.received++;
    receiver.wake(message);
    return true;
  }

  /**
   * Queues a message and resolves true once it is in the mailbox. Into a full mailbox it waits
   * for room, and resolves false if `timeout` passes first. Throws CoroFinishedError when the
   * coroutine has ended.
   * @example
   * ```ts
   * if (!(await worker.deliver(job, { timeout: 1000 }))) log('worker busy');
   * ```
   */
  deliver(message: M, options?: ActingWaitOptions): Promise<boolean> {
    let timeout: number;
    let owner: WaitOwner | undefined;
    try {
      timeout = checkWaitOptions(options);
      owner = this.scheduler.actor(options?.coro);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.state === Ended) return Promise.reject(new CoroFinishedError(`${this} has ended`));
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    // Budgeted like receive: a loop of deliveries must not starve I/O.
    return this.offer(message) ? this.scheduler.ready(true) : this.deliverLater(message, timeout, owner, options?.signal);
  }

  /** Hands `message` to the pending receive, or queues it if there is room; false when full. */
  protected offer(message: M): boolean {
    if (this.handToReceiver(message)) return true;
    if (this.holdFirst(message)) return true;
    const box = this.box!;
    if (box.full) return false;
    const counts = this.scheduler.counters;
    box.push(message);
    counts.sent++;
    if (box.length > counts.mailboxHighWater) counts.mailboxHighWater = box.length;
    return true;
  }

  /** Waits for room in a full mailbox; another sender may take the freed slot first, so it retries until the deadline. */
  protected async deliverLater(message: M, timeout: number, owner: WaitOwner | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const deadline = performance.now() + timeout;
    do {
      const wait = new Wait<boolean>(this.scheduler, owner, WaitKind.Other);
      wait.alarm = false;
      wait.what = `room in ${this}'s mailbox`;
      this.box!.waitForRoom(wait);
      const room = wait.start(Math.max(0, deadline - performance.now()), signal);
      if (timeout === Infinity && owner === undefined) this.scheduler.holdUntil(room);
      if (!(await room)) return false;
      if (this.state === Ended) throw new CoroFinishedError(`${this} has ended`);
    } while (!this.offer(message));
    return true;
  }

  /**
   * Takes the oldest message (or, with `filter`, the oldest matching one), waiting up to
   * `timeout` ms. Returns `alarm` on expiry. Only one receive may be pending at a time.
   * @example
   * ```ts
   * const msg = await coro.receive({ timeout: 500, alarm: null });
   * ```
   */
  receive(options?: ReceiveOptions<M, never> & { timeout?: undefined }): Promise<M>;
  receive<A = undefined>(options: ReceiveOptions<M, A>): Promise<M | A>;
  receive<A = undefined>(options?: ReceiveOptions<M, A>): Promise<M | A> {
    // The hot paths: a running coroutine with nothing pending, and no options or just a timeout.
    if ((this.flags & ~(DAEMON | REGISTERED | HELD)) === Running) {
      let timeout = Infinity;
      if (options !== undefined) {
        if (typeof options !== 'object' || options === null || options.filter !== undefined || options.signal !== undefined) return this.receiveWith(options);
        const t = options.timeout;
        if (t !== undefined) {
          if (!(typeof t === 'number' && t > 0)) return this.receiveWith(options); // 0 polls; bad input is refused there
          timeout = t;
        }
      }
      if ((this.flags & HELD) !== 0) {
        const held = this.mailbox as M;
        this.mailbox = undefined;
        this.flags &= ~HELD;
        this.scheduler.counters.received++;
        return this.scheduler.ready(held);
      }
      const box = this.mailbox as Mailbox<M> | undefined;
      if (box === undefined || box.length === 0) return this.armOwnWait(OWN_RECEIVE, timeout, options?.alarm, undefined);
      this.scheduler.counters.received++;
      return this.scheduler.ready(box.take(0));
    }
    return this.receiveWith(options);
  }

  /** receive() with options, or while something is pending (an interrupt, another wait). */
  private receiveWith<A>(options: ReceiveOptions<M, A> | undefined): Promise<M | A> {
    // Bad input rejects the promise (never a synchronous throw), so .catch() sees it.
    let timeout: number;
    const filter = options?.filter;
    try {
      timeout = checkWaitOptions(options);
      if (filter !== undefined) checkFunction(filter, 'filter');
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.state !== Running || this.scheduler.tracker !== undefined) {
      const refused = this.notOwner('receive');
      if (refused !== undefined) return Promise.reject(refused);
    }
    const interrupt = this.pendingInterrupt(WaitKind.Receive);
    if (interrupt !== undefined) return Promise.reject(interrupt);
    if (this.receiving) return Promise.reject(new ConcurrentReceiveError(`${this} already has a pending receive`));
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const box = this.box;
    if (box !== undefined && box.length > 0) {
      let index: number;
      try {
        index = box.find(filter);
      } catch (err) {
        return Promise.reject(err);
      }
      if (index >= 0) {
        this.scheduler.counters.received++;
        return this.scheduler.ready(box.take(index));
      }
    }
    if (timeout === 0) return this.scheduler.ready(options?.alarm as A);
    if (this.ownWait === 0 && this.state !== Scheduled) {
      if (filter !== undefined) this.extras().filter = filter;
      return this.armOwnWait(OWN_RECEIVE, timeout, options?.alarm, options?.signal);
    }
    // Its own wait is taken (a sleep raced with this receive), or it has not started: a separate wait.
    const wait = new Wait<M>(this.scheduler, this, WaitKind.Receive);
    wait.alarm = options?.alarm;
    wait.data = filter;
    this.extras().receiver = wait;
    return wait.start(timeout, options?.signal);
  }

  /**
   * Takes a queued message without waiting; returns `alarm` when none (matching) is queued.
   * @example
   * ```ts
   * const next = coro.poll({ alarm: null });
   * ```
   */
  poll<A = undefined>(options?: { filter?: (message: M) => boolean; alarm?: A }): M | A {
    if (options?.filter !== undefined) checkFunction(options.filter, 'filter');
    if (this.state !== Running || this.scheduler.tracker !== undefined) {
      const refused = this.notOwner('poll');
      if (refused !== undefined) throw refused;
    }
    const box = this.box;
    if (box === undefined) return options?.alarm as A;
    const index = box.find(options?.filter);
    if (index < 0) return options?.alarm as A;
    this.scheduler.counters.received++;
    return box.take(index);
  }

  /**
   * Iterates over incoming messages with `for await`; stops with the signal's reason when aborted.
   * @example
   * ```ts
   * for await (const msg of coro.messages()) if (msg === 'stop') break;
   * ```
   */
  async *messages(options?: { signal?: AbortSignal; filter?: (message: M) => boolean }): AsyncGenerator<M, void, undefined> {
    for (;;) yield (await this.receive({ signal: options?.signal, filter: options?.filter })) as M;
  }
}
