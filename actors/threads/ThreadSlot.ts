/**
 * One place of a `Threads` group, as its owner sees it: the thread running there now (a node of
 * the network with its own incarnation, linked to the owner by a MessagePort and to its running
 * siblings by ports the owner hands on), and the coroutine that keeps it: it starts the thread
 * (or, at the group's first start, takes over the one started early, when every place began
 * loading at once), links it once it is ready, and fails when the thread is lost (it exited,
 * threw at top level, ran out of memory, or fell silent for the network's `peerTimeout`: a
 * frozen thread is stopped), so that the group's Supervisor starts a new thread in its place.
 * @module
 */
import { MessageChannel, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import type { Coro } from '../../runtime/Coro.js';
import type { MonitorTarget } from '../../runtime/coroTypes.js';
import { PeerLostError } from '../../transports/net/netErrors.js';
import { Location } from '../../transports/net/Location.js';
import type { Peer } from '../../transports/net/Peer.js';
import { PeerStatus } from '../../transports/net/PeerStatus.js';
import { PortLink } from '../../transports/net/PortLink.js';
import { newNodeId } from '../../transports/net/nodeIdentity.js';
import { ThreadExit, WorkerThread } from '../../transports/io/WorkerThread.js';
import type { Network } from '../remote/Network.js';
import { ThreadStartError } from '../actorErrors.js';
import { threadListen, type OwnerListen } from './groupOptions.js';
import { wipeMaterial } from '../../transports/net/KeyMaterial.js';
import { isThreadReady, type NodeIdentityData, type ThreadReady, type ThreadSetup, type ToSpare } from './threadProtocol.js';
import type { ThreadSpares } from './ThreadSpares.js';
import { forwardThreadLogs } from './ThreadLogger.js';

/** What every thread of a group runs (spares too). */
export const THREAD_ENTRY = new URL('./threadMain.js', import.meta.url);

/**
 * What the slots of a group share: the owner's network and the settings every thread starts with.
 * @example
 * ```ts
 * const group: SlotGroup = { net, resourceLimits: undefined, listen: undefined, slots: [] };
 * ```
 */
export interface SlotGroup {
  readonly net: Network;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly listen: OwnerListen | undefined;
  readonly slots: readonly ThreadSlot[];
  /** Threads started ahead of need, which a replacement takes (undefined: none kept). */
  readonly spares?: ThreadSpares;
}

/** The coroutines placed on one life of a thread and still running (least-loaded placement counts them). */
export class ThreadLife {
  placed = 0;
}

/**
 * A thread started before its keeper runs: the first thing it posts (its ready) is kept for the
 * keeper, which takes it over.
 */
class EarlyStart implements MonitorTarget {
  thread: WorkerThread | undefined;
  first: unknown;

  send(message: unknown): boolean {
    if (this.first === undefined) this.first = message;
    return true;
  }
}

/** The owner's port to a thread closed from the thread's side: its exit is about to tell why. */
class PortClosed {}

/** What a keeper receives. */
type KeeperMessage = ThreadReady | ThreadExit | PeerStatus | PortClosed;

/** How long a keeper waits for the exit of a thread whose port closed (it comes at once). */
const EXIT_AFTER_CLOSE_MS = 1000;

/**
 * One thread of a group.
 * @example
 * ```ts
 * const slot = new ThreadSlot(1, 'thread-1.ab12cd34');
 * if (slot.state === 'up') log(String(slot.location), slot.life.placed);
 * ```
 */
export class ThreadSlot {
  state: 'starting' | 'up' | 'down' = 'down';
  incarnation = '';
  location: Location;
  thread: WorkerThread | undefined;
  peer: Peer | undefined;
  life = new ThreadLife();
  /** Lives started so far (the first is 1). */
  starts = 0;
  private link: PortLink | undefined;
  private early: EarlyStart | undefined;
  private unwatch: (() => void) | undefined;
  private ownerPort: MessagePort | undefined;
  private sample: { idle: number; active: number } | undefined;
  /** Event-loop utilisation since the previous placement looked (0 to 1). */
  busy = 0;

  constructor(
    /** 1-based place in the group. */
    readonly index: number,
    readonly name: string,
  ) {
    this.location = new Location(name, 0);
  }

  /** Who it is, as its siblings and the owner's network know it. */
  get identity(): NodeIdentityData {
    return { incarnation: this.incarnation, name: this.name, host: this.location.host, port: this.location.port };
  }

  /**
   * The keeper's body (a supervised child with `ready: true`): starts a thread here, calls
   * `ready()` once it is linked, then fails with PeerLostError when the thread is lost. Ending it
   * (the group stopping) asks the thread to stop.
   */
  async keep(coro: Coro<KeeperMessage, void>, group: SlotGroup, ready: () => void): Promise<void> {
    coro.setDaemon(); // the threads no more keep their owner alive than a network does
    let unsubscribe: (() => void) | undefined;
    let lost: Error | undefined;
    try {
      this.launch(coro, group);
      const first = await coro.receive({ filter: (m) => isThreadReady(m) || m instanceof ThreadExit });
      if (first instanceof ThreadExit) throw new ThreadStartError(`${this.name} ended before it was ready (exit code ${first.code})`, { cause: first.error });
      this.up(first as ThreadReady, group, coro);
      group.spares?.fill(); // the spare this one took (if it did) is made again, now that it runs
      const incarnation = this.incarnation;
      unsubscribe = group.net.peerStatus({ send: (s: unknown) => !(s instanceof PeerStatus && s.status === 'offline' && s.incarnation === incarnation) || coro.send(s) });
      ready();
      let end = await coro.receive({ filter: (m) => m instanceof ThreadExit || m instanceof PeerStatus || m instanceof PortClosed });
      // The port closes a moment before the exit says why: wait for it, for monitors to hear the reason.
      if (end instanceof PortClosed) end = this.thread!.exit ?? (await coro.receive({ filter: (m) => m instanceof ThreadExit, timeout: EXIT_AFTER_CLOSE_MS })) ?? end;
      throw (lost = this.lostError(end));
    } finally {
      unsubscribe?.();
      // Only a running thread that the group stops is asked to stop; any other is ended now.
      this.down(lost === undefined && this.state === 'up', lost);
    }
  }

  /** Event-loop utilisation since the last call (for least-loaded placement). */
  measure(): number {
    const now = this.thread?.utilization();
    if (now === undefined) return (this.busy = 0);
    const previous = this.sample;
    this.sample = now;
    return (this.busy = previous === undefined ? now.utilization : this.thread!.utilization(previous).utilization);
  }

  /**
   * @internal Starts this place's thread now, before its keeper runs: a group's first start
   * launches every thread at once, so that they load the runtime side by side instead of one
   * after another as the Supervisor starts their keepers. The keeper takes it over (`keep`).
   */
  startEarly(group: SlotGroup): void {
    if (this.early !== undefined || this.state !== 'down') return;
    const early = new EarlyStart();
    early.thread = this.begin(group, early);
    this.early = early;
  }

  /** @internal The thread started early and not yet taken over by the keeper, and whether it has said it is ready. */
  get startedEarly(): { thread: WorkerThread; ready: boolean } | undefined {
    const early = this.early;
    return early?.thread === undefined ? undefined : { thread: early.thread, ready: isThreadReady(early.first) };
  }

  /** @internal A thread started early that no keeper took over (the group's start failed): it is ended. */
  dropEarly(): void {
    const early = this.early;
    if (early === undefined) return;
    this.early = undefined;
    early.thread?.terminate();
    this.ownerPort?.close();
    this.ownerPort = undefined;
    this.state = 'down';
  }

  /** The keeper's thread: the one started early for it (what it posted meanwhile handed on), or a new one. */
  private launch(coro: Coro<KeeperMessage, void>, group: SlotGroup): void {
    const early = this.early;
    this.early = undefined;
    if (early?.thread !== undefined) {
      this.thread = early.thread;
      this.thread.messagesTo(coro);
      if (early.first !== undefined) coro.send(early.first as KeeperMessage);
    } else this.thread = this.begin(group, coro);
    this.unwatch = this.thread.notify(coro);
  }

  /** A new life here: its identity and ports, and its thread (a warm spare's, or one started cold), posting to `messages`. */
  private begin(group: SlotGroup, messages: MonitorTarget): WorkerThread {
    const { net } = group;
    this.incarnation = newNodeId();
    this.location = new Location(this.name, 0);
    this.state = 'starting';
    this.life = new ThreadLife();
    this.starts++;
    this.sample = undefined;
    const { port1, port2 } = new MessageChannel();
    this.ownerPort = port1;
    const logs = new MessageChannel();
    forwardThreadLogs(logs.port1, net.logger);
    const o = net.options;
    const setup: ThreadSetup = {
      index: this.index,
      incarnation: this.incarnation,
      name: this.name,
      owner: { incarnation: net.incarnation, name: net.name, host: net.location.host, port: net.location.port },
      ownerPort: port2,
      log: { port: logs.port2, level: net.logger.level },
      siblings: [],
      network: { maxFrame: o.maxFrame, heartbeatInterval: o.heartbeatInterval, peerTimeout: o.peerTimeout, requestTimeout: o.requestTimeout, listen: threadListen(group.listen) },
    };
    // A warm spare takes the place at once; otherwise a thread starts cold here.
    const spare = group.spares?.take();
    try {
      if (spare === undefined) return WorkerThread.start(net.scheduler, THREAD_ENTRY, { data: setup, transfer: [port2, logs.port2], resourceLimits: group.resourceLimits, messages, name: this.name });
      spare.messagesTo(messages);
      const place: ToSpare = { kind: 'setup', setup };
      spare.post(place, [port2, logs.port2]);
      return spare;
    } finally {
      // Starting a worker and posting both clone the setup at once: this copy of the keys is done with.
      const keys = setup.network.listen?.keys;
      if (keys !== undefined) wipeMaterial(keys);
    }
  }

  /** Ready: link the owner's end, then every running sibling (over the owner's ports, in order with requests). */
  private up(ready: ThreadReady, group: SlotGroup, keeper: Coro<KeeperMessage, void>): void {
    this.location = new Location(ready.host, ready.port);
    const port = this.ownerPort!;
    this.ownerPort = undefined;
    // Once its keeper has ended (the group stops), a thread that closes its port is simply gone.
    const remoteClosed = (): void => void (keeper.isAlive ? keeper.send(new PortClosed()) : peer.lose(new PeerLostError(`${this.name} closed its link`), false));
    const peer = group.net.links.join({ nodeId: this.incarnation, name: this.name, location: this.location }, (events) => (this.link = new PortLink(port, { initiator: true, judgesSilence: true, hold: () => group.net.scheduler.isBehind, remoteClosed }, events)));
    this.peer = peer;
    for (const sibling of group.slots) {
      if (sibling === this || sibling.state !== 'up' || sibling.link === undefined) continue;
      const { port1, port2 } = new MessageChannel();
      sibling.link.post({ kind: 'link', identity: this.identity, port: port1 }, [port1]);
      this.link!.post({ kind: 'link', identity: sibling.identity, port: port2 }, [port2]);
    }
    this.state = 'up';
  }

  /** The thread is lost or the group stops: a stopping group asks it to stop, a lost one is made sure to end. */
  private down(stopping: boolean, lost: Error | undefined): void {
    this.state = 'down';
    this.unwatch?.(); // the keeper is ending: the thread's exit is not news to anyone now
    const link = this.link;
    this.link = undefined;
    this.ownerPort?.close();
    this.ownerPort = undefined;
    // The exit may come before the port closes: the peer is then lost with the reason.
    if (this.peer?.isOnline && !stopping) this.peer.lose(lost ?? new PeerLostError(`${this.name} did not start`), false);
    this.peer = undefined;
    if (this.thread === undefined || this.thread.exit !== undefined) return;
    // Asked over the owner's port, after every request already sent to it.
    if (!stopping || link?.post({ kind: 'stop' }) !== true) this.thread.terminate();
  }

  private lostError(end: unknown): Error {
    if (end instanceof ThreadExit) {
      const why = end.error === undefined ? `exited with code ${end.code}` : (end.error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `failed: ${end.error.message}`;
      return new PeerLostError(`${this.name} ${why}`, { cause: end.error });
    }
    if (end instanceof PortClosed) return new PeerLostError(`${this.name} closed its link`);
    return new PeerLostError(`${this.name} was lost: it missed its heartbeats`);
  }
}
