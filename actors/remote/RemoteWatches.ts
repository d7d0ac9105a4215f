/**
 * The remote monitors of one network, both ways (Proto.Actor's endpoint watcher): the watches
 * this node keeps on coroutines at its peers (monitors, `finish()` waits, RCI outcomes and pending
 * `ask`s, which also own the reply addresses that crossed the wire), and the watches peers keep on
 * coroutines here. Keyed by peer connection (one incarnation each); when a peer closes, every
 * watch on it ends with 'peer-lost' and every watch it kept here is removed.
 *
 * Wire: `watch [incarnation, id, name, watchId]` and `unwatch [watchId]` (one-way); the watched
 * node answers once with `exited [watchId, MonitorStatus]` (at once when the coroutine is gone).
 * An ask is one message, `ask [incarnationTag, id, name, askId, request]`: the watched node drops
 * the watch by itself when it sends the first message to the reply address `-askId`, so a reply
 * costs no `unwatch`; `refused [askId, error]` when the request could not be queued.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import type { MonitorTarget } from '../../runtime/coroTypes.js';
import { MonitorStatus } from '../../runtime/MonitorStatus.js';
import type { CoroRef } from '../../runtime/networkPort.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { PeerLostError, PeerUnreachableError } from '../../transports/net/netErrors.js';
import type { Peer } from '../../transports/net/Peer.js';
import type { PeerNetwork } from '../../transports/net/PeerNetwork.js';
import { incarnationTag } from '../../transports/net/wireReference.js';
import type { AskBinding, AskReply } from '../ask.js';
import { KnownEnds } from './KnownEnds.js';

/** A watch this node keeps on a coroutine at a peer. */
interface Watch {
  readonly peer: Peer;
  subject: CoroRef;
  /** Told the outcome (a monitor, a finish() wait, an RCI outcome); undefined for an ask. */
  readonly monitor: MonitorTarget | undefined;
  readonly ask: AskReply<unknown> | undefined;
  /** The watched node has dropped it already (it replied, reported the end, or is gone). */
  remoteDone: boolean;
}

/**
 * A watch a peer keeps on a coroutine here: installed as a monitor of it, forwarding its status.
 * @example
 * ```ts
 * coro.notify(RemoteWatches.of(net).serve(peer, watchId, coro, false));
 * ```
 */
export class ServedWatch implements MonitorTarget {
  coro: Coro<any, any> | undefined = undefined;

  constructor(
    private readonly watches: RemoteWatches,
    readonly peer: Peer,
    readonly id: number,
    /** An ask's watch only records the end (the crash is still reported as unhandled). */
    readonly passive: boolean,
  ) {}

  /** The coroutine ended: tell the watcher, once. */
  send(status: unknown): boolean {
    this.watches.unserve(this.peer, this.id, false);
    if (this.peer.state === 'closed') return false;
    try {
      return this.peer.post('exited', [this.id, status]);
    } catch (err) {
      // The result or error cannot cross the wire: report the outcome without it.
      const s = status as MonitorStatus;
      return this.peer.post('exited', [this.id, new MonitorStatus(s.coro, s.reason, undefined, new InvalidArgumentError(`outcome not encodable: ${(err as Error).message}`))]);
    }
  }
}

/**
 * Remote watches of one network (`RemoteWatches.of(net)`).
 * @example
 * ```ts
 * const id = RemoteWatches.of(net).watch(peer, remote, coro); // `coro` gets a MonitorStatus once
 * ```
 */
export class RemoteWatches implements AskBinding {
  /** What this node knows to be gone (lost incarnations, ended remote coroutines). */
  readonly known = new KnownEnds();
  private readonly watches = new Map<number, Watch>();
  /** How many of `watches` each peer has (for snapshots, without a scan). */
  private readonly perPeer = new Map<Peer, number>();
  private readonly served = new Map<Peer, Map<number, ServedWatch>>();
  /** Reply addresses of pending asks that crossed the wire, by wire id. */
  private readonly replies = new Map<number, AskReply<unknown>>();
  private nextId = 1;
  private taggedIncarnation: string | undefined;
  private tag = 0;

  private constructor(private readonly net: PeerNetwork) {}

  /** The watches of `net` (created with it on first use). */
  static of(net: PeerNetwork): RemoteWatches {
    return net.extension(RemoteWatches, (n) => new RemoteWatches(n));
  }

  // ---------------------------------------------------------------- watching coroutines elsewhere

  /** Records a watch whose request the caller sends (RCI's 'rci-run' carries the id); returns its id. */
  add(peer: Peer, subject: CoroRef, monitor: MonitorTarget): number {
    if (peer.state === 'closed') throw peer.error ?? new PeerUnreachableError(`${peer} is not connected`);
    const id = this.nextId++;
    this.keep(id, { peer, subject, monitor, ask: undefined, remoteDone: false });
    return id;
  }

  /** Watches `subject` (a coroutine at `peer`): `monitor` gets its MonitorStatus once, or 'peer-lost'. */
  watch(peer: Peer, subject: CoroRef & { readonly incarnation: string }, monitor: MonitorTarget): number {
    const id = this.add(peer, subject, monitor);
    peer.post('watch', [subject.incarnation, subject.id, subject.name, id]);
    return id;
  }

  /** The watcher gave up (a finish() that timed out): forget the watch and tell the peer. */
  drop(id: number): void {
    const watch = this.watches.get(id);
    if (watch === undefined || watch.ask !== undefined) return;
    this.forget(id, watch);
    if (!watch.remoteDone && watch.peer.isOnline) watch.peer.post('unwatch', [id]);
  }

  /** The watch `id` now reports on `subject` (an RCI call learns its coroutine after watching). */
  setSubject(id: number, subject: CoroRef): void {
    const watch = this.watches.get(id);
    if (watch !== undefined) watch.subject = subject;
  }

  /** 'exited' from `peer`: the watched coroutine ended. */
  ended(peer: Peer, id: number, status: MonitorStatus): void {
    const watch = this.watches.get(id);
    if (watch === undefined || watch.peer !== peer) return;
    watch.remoteDone = true;
    const subject = watch.subject as { incarnation?: unknown; id: number };
    if (typeof subject.incarnation === 'string' && subject.id > 0) this.known.ended(subject.incarnation, subject.id);
    this.end(id, watch, status);
  }

  /** 'refused' from `peer`: an ask's request could not be queued there. */
  refused(peer: Peer, id: number, error: unknown): void {
    const watch = this.watches.get(id);
    if (watch === undefined || watch.peer !== peer || watch.ask === undefined) return;
    watch.remoteDone = true;
    watch.ask.fail(error);
  }

  // ---------------------------------------------------------------- asks

  /** Sends an ask's request to `subject` at `peer`, watching it for the ask; throws when the peer cannot take it. */
  ask(peer: Peer, subject: CoroRef & { readonly incarnation: string }, message: unknown, reply: AskReply<unknown>): void {
    if (peer.state === 'closed') throw peer.error ?? new PeerUnreachableError(`${peer} is not connected`);
    const id = this.replyId(reply);
    const watch: Watch = { peer, subject, monitor: undefined, ask: reply, remoteDone: true };
    this.keep(id, watch);
    if (!peer.post('ask', [this.tagOf(subject.incarnation), subject.id, subject.name, id, message])) {
      throw new PeerUnreachableError(`cannot queue a request to ${peer}`);
    }
    watch.remoteDone = false; // posted: the peer holds a watch until it replies or we unwatch
  }

  /** `incarnationTag` of the incarnation asked last (asks go to a few nodes: no parse per ask). */
  private tagOf(incarnation: string): number {
    if (incarnation !== this.taggedIncarnation) {
      this.taggedIncarnation = incarnation;
      this.tag = incarnationTag(incarnation);
    }
    return this.tag;
  }

  /** The wire id of a reply address, assigned when it first crosses the wire (it is then bound here). */
  replyId(reply: AskReply<unknown>): number {
    if (reply.wireId === 0) {
      if (reply.settled) throw new InvalidArgumentError(`${reply} has settled: it cannot be sent`);
      reply.wireId = this.nextId++;
      reply.binding = this;
      this.replies.set(reply.wireId, reply);
    }
    return reply.wireId;
  }

  /** The pending reply address with wire id `id`, if any. */
  replyAddress(id: number): AskReply<unknown> | undefined {
    return this.replies.get(id);
  }

  /** A message for reply address `id` came from `from`: it settles the ask; false when nobody waits. */
  reply(id: number, message: unknown, from: Peer | undefined): boolean {
    const reply = this.replies.get(id);
    if (reply === undefined) return false;
    const watch = this.watches.get(id);
    if (watch !== undefined && watch.peer === from) watch.remoteDone = true; // that node dropped its watch as it replied
    return reply.send(message);
  }

  /** An ask settled: forget its reply address and watch, and tell the watched node if it still watches. */
  settled(reply: AskReply<unknown>): void {
    const id = reply.wireId;
    this.replies.delete(id);
    const watch = this.watches.get(id);
    if (watch === undefined || watch.ask !== reply) return;
    this.forget(id, watch);
    if (!watch.remoteDone && watch.peer.isOnline) watch.peer.post('unwatch', [id]);
  }

  // ---------------------------------------------------------------- watches peers keep here

  /** Installs `peer`'s watch `id` on the local coroutine `coro` (reported at once if it has ended). */
  serve(peer: Peer, id: number, coro: Coro<any, any>, passive: boolean): ServedWatch {
    const watch = this.serving(peer, id, passive);
    watch.coro = coro;
    coro.notify(watch);
    return watch;
  }

  /** Records `peer`'s watch `id`, for a coroutine not started yet (RCI sets `coro` once it runs). */
  serving(peer: Peer, id: number, passive: boolean): ServedWatch {
    const watch = new ServedWatch(this, peer, id, passive);
    if (peer.state === 'closed') return watch;
    let byId = this.served.get(peer);
    if (byId === undefined) this.served.set(peer, (byId = new Map()));
    byId.get(id)?.coro?.demonitor(byId.get(id)!);
    byId.set(id, watch);
    return watch;
  }

  /** Removes `peer`'s watch `id` (its 'unwatch', or the reply to its ask was sent). */
  unserve(peer: Peer, id: number, demonitor = true): void {
    const byId = this.served.get(peer);
    const watch = byId?.get(id);
    if (watch === undefined) return;
    byId!.delete(id);
    if (byId!.size === 0) this.served.delete(peer);
    if (demonitor) watch.coro?.demonitor(watch);
  }

  // ---------------------------------------------------------------- peers

  /** A peer closed: its watches end with 'peer-lost', the watches it kept here go. */
  peerClosed(peer: Peer): void {
    this.known.peerLost(peer.incarnation);
    const error = peer.error ?? new PeerLostError(`${peer} was lost`);
    for (const [id, watch] of this.watches) {
      if (watch.peer !== peer) continue;
      watch.remoteDone = true;
      this.end(id, watch, new MonitorStatus(watch.subject, 'peer-lost', undefined, error));
    }
    const byId = this.served.get(peer);
    if (byId === undefined) return;
    this.served.delete(peer);
    for (const watch of byId.values()) watch.coro?.demonitor(watch);
  }

  /** What a snapshot shows of `peer`: watches kept on its coroutines, and watches it keeps here. */
  counts(peer: Peer): { watching: number; watchedBy: number } {
    return { watching: this.perPeer.get(peer) ?? 0, watchedBy: this.served.get(peer)?.size ?? 0 };
  }

  private end(id: number, watch: Watch, status: MonitorStatus): void {
    if (watch.ask !== undefined) return watch.ask.targetEnded(status); // settles it: settled() forgets the watch
    this.forget(id, watch);
    watch.monitor!.send(status);
  }

  private keep(id: number, watch: Watch): void {
    this.watches.set(id, watch);
    this.perPeer.set(watch.peer, (this.perPeer.get(watch.peer) ?? 0) + 1);
  }

  private forget(id: number, watch: Watch): void {
    this.watches.delete(id);
    const n = (this.perPeer.get(watch.peer) ?? 1) - 1;
    if (n === 0) this.perPeer.delete(watch.peer);
    else this.perPeer.set(watch.peer, n);
  }
}
