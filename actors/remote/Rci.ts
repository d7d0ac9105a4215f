/**
 * Remote coroutine invocation (asyncoro's RCI, pycos's RPS): a process registers a named
 * coroutine function; a peer locates it by name and calls it with CBOR arguments, which starts
 * a coroutine running that function on the registering node and returns its reference. Only
 * registered functions can run; no code travels.
 * @module
 */
import { expectText, ReferenceTags, type ReferenceType, type WireContext } from '../../transports/net/Codec.js';
import { Coro, type MonitorTarget } from '../../runtime/Coro.js';
import { AsyncoroError, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { checkFunction, checkName, checkWaitOptions } from '../../runtime/options.js';
import { Registry } from '../../runtime/Registry.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Location } from '../../transports/net/Location.js';
import { PeerNetwork, type NetworkLayer } from '../../transports/net/PeerNetwork.js';
import { REFERENCE_LIMITS, referenceFromWire, referenceToWire } from '../../transports/net/wireReference.js';
import { PeerUnreachableError, ProtocolError } from '../../transports/net/netErrors.js';
import type { LocateKind, LocateOptions } from '../../transports/net/PeerLocator.js';
import { RemoteWatches } from './RemoteWatches.js';
import { UnknownRciError } from '../actorErrors.js';
import type { NodeAddress } from '../../runtime/networkPort.js';
import { HeldOutcome } from './HeldOutcome.js';
import { RciCoro } from './RciCoro.js';
import { RemoteCoro } from './RemoteCoro.js';
import { type ActingWaitOptions } from '../../runtime/coroTypes.js';

/** The coroutine function an RCI runs: the new coroutine, then the caller's arguments. */
export type RciFunction<A extends unknown[], R> = (coro: Coro<any, R>, ...args: A) => R | Promise<R>;

/** Options of a call: the request's timeout/signal/acting coroutine, and a monitor installed before the coroutine runs. */
export interface RciCallOptions extends ActingWaitOptions {
  /** Receives the new coroutine's MonitorStatus (or 'peer-lost'); installed before it starts, so no outcome is missed. */
  monitor?: MonitorTarget;
}

/** Options of `Rci.locate`: timeout, signal, one location to ask, the scheduler (default one). */
export interface RciLocateOptions extends LocateOptions {
  scheduler?: Scheduler;
}

const registries = new WeakMap<Scheduler, Registry<Rci<any, any>>>();

/** The RCI names registered on `sched`. */
function rciNames(sched: Scheduler): Registry<Rci<any, any>> {
  let names = registries.get(sched);
  if (names === undefined) registries.set(sched, (names = new Registry<Rci<any, any>>('RCI', () => true)));
  return names;
}

function checkCallOptions(options: RciCallOptions): void {
  checkWaitOptions(options);
  const m = options.monitor;
  if (m !== undefined && (m === null || typeof m !== 'object' || typeof m.send !== 'function')) {
    throw new InvalidArgumentError('monitor must be a coroutine or remote coroutine reference');
  }
}

/**
 * A named coroutine function that peers can run here.
 *
 * @example
 * ```ts
 * // server
 * new Rci('double', async (coro, n: number) => n * 2).register();
 * // client (another process)
 * const rci = await Rci.locate('double', { timeout: 5000 });
 * const remote = await rci!.call(21);     // a RemoteCoro running on the server
 * log(await remote.value());      // 42
 * ```
 */
export class Rci<A extends unknown[] = any[], R = unknown> {
  readonly scheduler: Scheduler;

  constructor(
    readonly name: string,
    private readonly fn: RciFunction<A, R>,
    options?: { scheduler?: Scheduler },
  ) {
    checkName(name, 'RCI name');
    checkFunction(fn, 'RCI function');
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new InvalidArgumentError('RCI options must be an object');
    const sched = options?.scheduler ?? Scheduler.default();
    if (!(sched instanceof Scheduler)) throw new InvalidArgumentError('scheduler must be a Scheduler');
    this.scheduler = sched;
  }

  /**
   * Finds the RCI registered as `name`: here first, then at `location` or at every peer (first
   * answer wins); waits up to `timeout` ms (forever when omitted). Undefined on timeout; a given
   * location that cannot be reached throws PeerUnreachableError/PeerLostError.
   * @example
   * ```ts
   * const rci = await Rci.locate('rci_1', { timeout: 5000, location: '127.0.0.1:9705' });
   * ```
   */
  static async locate<A extends unknown[] = any[], R = any>(name: string, options?: RciLocateOptions): Promise<Rci<A, R> | RemoteRci<A, R> | undefined> {
    const sched = options?.scheduler ?? Scheduler.default();
    const net = sched.network;
    if (net === undefined) return sched.locateIn(rciNames(sched), name, options) as Promise<Rci<A, R> | undefined>;
    return net.locate(rciNames(sched), name, options) as Promise<Rci<A, R> | RemoteRci<A, R> | undefined>;
  }

  /** Where its node listens (undefined until networking is started on its scheduler). */
  get location(): NodeAddress | undefined {
    return this.scheduler.network?.location;
  }

  /** True while registered. */
  get isRegistered(): boolean {
    return rciNames(this.scheduler).get(this.name) === this;
  }

  /**
   * Makes it locatable and callable by peers under its name. Throws NameTakenError if another
   * RCI holds the name on this scheduler (asyncoro returned -1).
   * @example
   * ```ts
   * rci.register();
   * ```
   */
  register(): void {
    rciNames(this.scheduler).add(this.name, this);
  }

  /** Removes the registration; false if it was not registered. Coroutines already started go on. */
  unregister(): boolean {
    return rciNames(this.scheduler).delete(this.name, this);
  }

  /**
   * Starts a coroutine running the function with `args` here and resolves to it.
   * @example
   * ```ts
   * const coro = await rci.call('a', 1);
   * ```
   */
  call(...args: A): Promise<Coro<any, R>> {
    return this.callWith({}, ...args);
  }

  /** Same as `call` (pycos's name). */
  run(...args: A): Promise<Coro<any, R>> {
    return this.callWith({}, ...args);
  }

  /**
   * `call` with options; `monitor` is installed before the coroutine runs.
   * @example
   * ```ts
   * const coro = await rci.callWith({ monitor: me }, 'a', 1);
   * ```
   */
  async callWith(options: RciCallOptions, ...args: A): Promise<Coro<any, R>> {
    checkCallOptions(options);
    return this.start(options.monitor, args);
  }

  /** @internal Starts the coroutine now (`monitor` installed before it runs); what a peer's call does here. */
  start(monitor: MonitorTarget | undefined, args: A): Coro<any, R> {
    if (!this.scheduler.isRunning) throw new InvalidArgumentError('the scheduler of this RCI has stopped');
    const coro = this.scheduler.spawnWith<any, R, A>({ name: this.name }, this.fn, ...args);
    if (monitor !== undefined) coro.notify(monitor);
    return coro;
  }

  /** True for this RCI or a reference to it. */
  equals(other: unknown): boolean {
    return other === this || (other instanceof RemoteRci && other.equals(this));
  }

  toString(): string {
    return `rci ${this.name}@${this.location ?? 'local'}`;
  }
}

/**
 * A reference to an RCI registered on another node (what `Rci.locate` finds elsewhere, and what
 * an Rci sent in a message becomes on the other side; back home it is the live Rci again).
 * @example
 * ```ts
 * const rci = await Rci.locate('rci_1', { timeout: 5000 });
 * const remote = await rci!.callWith({ monitor: me, timeout: 2000 }, 'test0', 0);
 * ```
 */
export class RemoteRci<A extends unknown[] = any[], R = unknown> {
  constructor(
    private readonly net: PeerNetwork | undefined,
    /** Where its node listens. */
    readonly location: Location,
    /** Its node's incarnation; a restarted node no longer knows this reference. */
    readonly incarnation: string,
    readonly name: string,
  ) {}

  /**
   * Starts a coroutine running the RCI on its node and resolves to its reference. Throws
   * UnknownRciError (a RemoteError with code ERR_UNKNOWN_RCI) when not registered there,
   * PeerUnreachableError/PeerLostError, TimeoutError (after the network's requestTimeout).
   * `callWith({ timeout, signal, coro, monitor }, ...args)` is the call with the usual options;
   * `call(...args)` keeps asyncoro's shape (the arguments are the RCI's own).
   * @example
   * ```ts
   * const remote = await rci.call('test0', 0);
   * ```
   */
  call(...args: A): Promise<RciCoro<any, R> | Coro<any, R>> {
    return this.callWith({}, ...args);
  }

  /** Same as `call` (pycos's name). */
  run(...args: A): Promise<RciCoro<any, R> | Coro<any, R>> {
    return this.callWith({}, ...args);
  }

  /**
   * `call` with options: the request's `timeout` (default: the network's requestTimeout),
   * `signal`, acting `coro`, and a `monitor` installed before the coroutine runs.
   * @example
   * ```ts
   * const remote = await rci.callWith({ timeout: 1000, monitor: me }, 'x');
   * ```
   */
  async callWith(options: RciCallOptions, ...args: A): Promise<RciCoro<any, R> | Coro<any, R>> {
    checkCallOptions(options);
    const net = this.net;
    if (net === undefined || net.isStopped) throw new PeerUnreachableError(`${this}: networking is not started`);
    if (this.incarnation === net.incarnation) {
      const local = rciNames(net.scheduler).get(this.name);
      if (local === undefined) throw new UnknownRciError(`no RCI registered as '${this.name}' here`);
      return local.callWith(options, ...args);
    }
    const peer = net.route(this.location);
    if (peer === undefined) throw new PeerUnreachableError(`${this.location} cannot be reached`);
    if (peer.isOnline && peer.incarnation !== this.incarnation) throw new UnknownRciError(`${this} belonged to a previous incarnation of ${this.location}`);
    // Every call is watched (pycos's RPS did so): the outcome is kept for finish(), and the watch
    // exists before the request, so an outcome (or the peer's loss) cannot be missed. The node
    // answers before it reports the outcome; one read may bring both, so the outcome holds a
    // status until the reply names the coroutine (bind), then delivers it, once.
    const subject = new RemoteCoro<any, R>(net, this.location, this.incarnation, 0, this.name);
    const outcome = new HeldOutcome(undefined, options.monitor);
    const watches = RemoteWatches.of(net);
    const watchId = watches.add(peer, subject, outcome);
    let ref: unknown;
    try {
      const { monitor: _, ...requestOptions } = options;
      ref = await peer.request('rci-run', [this.incarnation, this.name, args, watchId], { timeout: net.requestTimeout, ...requestOptions });
      if (!(ref instanceof RemoteCoro)) throw new ProtocolError('rci-run was answered without a coroutine reference');
    } catch (err) {
      watches.drop(watchId);
      outcome.startFailed(subject); // a lost peer is still told to the monitor
      throw err;
    }
    watches.setSubject(watchId, ref);
    outcome.bind(ref);
    return new RciCoro<any, R>(net, ref, outcome);
  }

  /** True when `other` references the same RCI (same node incarnation and name). */
  equals(other: unknown): boolean {
    if (other instanceof RemoteRci) return other.incarnation === this.incarnation && other.name === this.name;
    return other instanceof Rci && other.isRegistered && other.scheduler.network?.incarnation === this.incarnation;
  }

  toString(): string {
    return `rci ${this.name}@${this.location}`;
  }
}

/** What Rci.locate looks for: registered RCIs, request 'rci-locate'. */
const RCI_LOCATE: LocateKind = {
  request: 'rci-locate',
  registry: rciNames,
  isFound: (v) => v instanceof RemoteRci || v instanceof Rci,
};

function installRciHandlers(net: PeerNetwork): void {
  net.handle('rci-run', (body, peer) => {
    if (!Array.isArray(body) || body.length !== 4 || typeof body[0] !== 'string' || typeof body[1] !== 'string' || !Array.isArray(body[2]) || (body[3] !== null && typeof body[3] !== 'number')) {
      throw new InvalidArgumentError('malformed rci-run request');
    }
    const rci = body[0] === net.incarnation ? rciNames(net.scheduler).get(body[1]) : undefined;
    if (rci === undefined) throw new UnknownRciError(`no RCI registered as '${body[1].slice(0, 60)}' at ${net.location}`);
    const watch = body[3] === null ? undefined : RemoteWatches.of(net).serving(peer, body[3], false);
    // Answered now, before the coroutine has run: the reply always precedes the outcome on the wire.
    const coro = rci.start(watch, body[2]);
    if (watch !== undefined) watch.coro = coro; // so that an 'unwatch' or the peer's loss can remove it
    return coro;
  });
}

function rciFromWire(data: unknown, context: WireContext | undefined): Rci<any, any> | RemoteRci<any, any> {
  return referenceFromWire<Rci<any, any> | RemoteRci<any, any>>(
    data,
    1,
    'RCI',
    context,
    // A reference that comes home is the live RCI again, while it is registered.
    ({ fields: [name] }) => rciNames(context!.scheduler).get(expectText(name, 'RCI name', REFERENCE_LIMITS.name)),
    ({ location, incarnation, fields: [name] }) =>
      new RemoteRci(context instanceof PeerNetwork ? context : undefined, location, incarnation, expectText(name, 'RCI name', REFERENCE_LIMITS.name)),
  );
}

/** A local RCI on the wire: [host, port, incarnation, name] of the node it is registered on. */
const LOCAL_RCI_REFERENCE: ReferenceType<Rci<any, any>> = {
  tag: ReferenceTags.RCI,
  classes: [Rci],
  encode(rci, context) {
    const home = rci.scheduler.network ?? (context?.scheduler === rci.scheduler ? context : undefined);
    return referenceToWire(home, rci, rci.name);
  },
  decode: rciFromWire,
};

const REMOTE_RCI_REFERENCE: ReferenceType<RemoteRci<any, any>> = {
  tag: ReferenceTags.RCI,
  classes: [RemoteRci],
  encode: (r) => referenceToWire(r, r, r.name),
  decode: rciFromWire,
};

/**
 * The RCI layer: RCI references, RCI_LOCATE ('rci-locate [name, waitMs]') and
 * 'rci-run [incarnation, name, args, watchId|null]' → coroutine reference.
 * @example
 * ```ts
 * const layers = [FILE_TRANSFER_LAYER, CORO_LAYER, CHANNEL_LAYER, RCI_LAYER];
 * ```
 */
export const RCI_LAYER: NetworkLayer = {
  references: [REMOTE_RCI_REFERENCE, LOCAL_RCI_REFERENCE],
  locates: [RCI_LOCATE],
  install: installRciHandlers,
};
