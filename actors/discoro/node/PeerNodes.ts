/**
 * The other discoronodes a node knows, for its dashboard's cluster page: a coroutine
 * (`peer-nodes`) that hears every peer come online and go offline, asks each new peer once what
 * it is (`discoro-info`: a client or a server answers that it has no such request, and is not
 * asked again), and, while someone looks at the cluster page, asks the nodes again every second
 * (their state, load, computations, jobs and dashboard address). Each question runs in a
 * coroutine of its own, bounded by the network's request timeout; its answer comes back to the
 * mailbox. Nobody looking, nothing is asked but of new peers.
 * @module
 */
import type { Coro } from '../../../runtime/Coro.js';
import { UnknownRequestError } from '../../../transports/net/netErrors.js';
import { PeerStatus } from '../../../transports/net/PeerStatus.js';
import type { NodeView } from '../../dashboard/clusterSource.js';
import type { Network } from '../../remote/Network.js';
import { NodeRequests, type NodeInfo } from '../protocol.js';

const TICK = Symbol('tick');
/** Someone looks at the cluster page (after a while without). */
const WATCHED = Symbol('watched');
/** How often the nodes are asked while the page is looked at, and how long a look counts. */
const REFRESH_MS = 1000;
const WATCH_MS = 5000;
/** A node gone this long is forgotten. */
const FORGET_MS = 10 * 60_000;

/** What a question about a peer came back with. */
class Answer {
  constructor(readonly location: string, readonly incarnation: string, readonly info: NodeInfo | undefined, readonly notNode: boolean) {}
}

interface Entry {
  location: string;
  incarnation: string;
  online: boolean;
  /** When it went offline (performance.now()). */
  offlineAt: number;
  asking: boolean;
  /** It answered that it is no node (a client, a server). */
  notNode: boolean;
  /** Its last answer, and when. */
  info: NodeInfo | undefined;
  heardAt: number | null;
  /** The last question went unanswered. */
  unreachable: boolean;
}

/**
 * The nodes a node knows; its fields are written by its coroutine only.
 * @example
 * ```ts
 * const peers = new PeerNodes(net);
 * await top.startChild({ id: 'peer-nodes', start: (coro: Coro<any, void>) => peers.run(coro) });
 * log(peers.list().map((n) => n.name));
 * ```
 */
export class PeerNodes {
  private readonly entries = new Map<string, Entry>();
  private coro: Coro<unknown, void> | undefined;
  private watchedAt = -Infinity;

  constructor(private readonly net: Network) {}

  /** The other nodes known, each as the cluster page shows it; marks the page as looked at. */
  list(): NodeView[] {
    this.watch();
    const out: NodeView[] = [];
    for (const e of this.entries.values()) {
      if (e.notNode || e.info === undefined) continue;
      // What another node says is shown as data of known shapes only.
      const i = e.info;
      const said = STATES.includes(i.state as string) ? (i.state as string) : 'serving';
      const state = !e.online ? 'disconnected' : e.unreachable ? 'unreachable' : said;
      const jobs = i.jobs !== undefined && [i.jobs.running, i.jobs.done, i.jobs.failed].every((n) => typeof n === 'number') ? { running: i.jobs.running, done: i.jobs.done, failed: i.jobs.failed } : null;
      out.push({
        location: e.location, name: String(i.name).slice(0, 100), state, enabled: said !== 'disabled', cpus: num(i.cpus) ?? 0,
        cpuLoad: num(i.avail?.cpuLoad), freeMemory: num(i.avail?.freeMemory), totalMemory: num(i.avail?.totalMemory), freeDisk: num(i.avail?.freeDisk),
        lastPulse: e.heardAt, dashboard: typeof i.dashboard === 'string' && /^https?:\/\/[^\s]{1,300}$/.test(i.dashboard) ? i.dashboard : null,
        computations: num(i.computations), jobs,
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.location.localeCompare(b.location));
  }

  /** Someone looks: the nodes are asked every second for the next few seconds. */
  watch(): void {
    const idle = performance.now() - this.watchedAt > WATCH_MS;
    this.watchedAt = performance.now();
    if (idle) this.coro?.send(WATCHED);
  }

  /** The body of its coroutine: until terminated. */
  async run(coro: Coro<unknown, void>): Promise<void> {
    this.coro = coro;
    const unsubscribe = this.net.peerStatus(coro);
    try {
      let tickAt = performance.now() + REFRESH_MS;
      for (;;) {
        const watched = performance.now() - this.watchedAt <= WATCH_MS;
        const m = await coro.receive({ timeout: watched ? Math.max(0, tickAt - performance.now()) : undefined, alarm: TICK });
        if (m instanceof PeerStatus) this.peer(m);
        else if (m instanceof Answer) this.answered(m);
        else if (m === WATCHED) tickAt = performance.now();
        if (performance.now() >= tickAt - 1) {
          tickAt = performance.now() + REFRESH_MS;
          if (performance.now() - this.watchedAt <= WATCH_MS) for (const e of this.entries.values()) if (e.online && !e.notNode) this.ask(e);
        }
      }
    } finally {
      unsubscribe();
    }
  }

  private peer(s: PeerStatus): void {
    const location = String(s.location);
    let e = this.entries.get(location);
    const now = performance.now();
    for (const [k, x] of this.entries) if (!x.online && now - x.offlineAt > FORGET_MS) this.entries.delete(k);
    if (s.status === 'offline') {
      if (e === undefined) return;
      if (e.notNode) this.entries.delete(location);
      e.online = false;
      e.offlineAt = now;
      return;
    }
    if (e === undefined || e.incarnation !== s.incarnation) {
      // New, or a new process at the same address: it may be anything now.
      e = { location, incarnation: s.incarnation, online: true, offlineAt: 0, asking: false, notNode: false, info: undefined, heardAt: null, unreachable: false };
      this.entries.set(location, e);
    }
    e.online = true;
    if (!e.notNode) this.ask(e);
  }

  private ask(e: Entry): void {
    if (e.asking) return;
    e.asking = true;
    const { location, incarnation } = e;
    const self = this.coro!;
    self.scheduler.spawnWith({ name: 'peer-node-probe', daemon: true }, async (probe: Coro) => {
      let answer: Answer;
      try {
        const info = (await this.net.request(location, NodeRequests.info, [], { timeout: this.net.requestTimeout, coro: probe })) as NodeInfo;
        answer = new Answer(location, incarnation, typeof info?.name === 'string' ? info : undefined, false);
      } catch (err) {
        answer = new Answer(location, incarnation, undefined, UnknownRequestError.is(err));
      }
      // A node that stops ends this coroutine before its network fails the request: no one to tell.
      if (self.isAlive) self.send(answer);
    });
  }

  private answered(a: Answer): void {
    const e = this.entries.get(a.location);
    if (e === undefined || e.incarnation !== a.incarnation) return;
    e.asking = false;
    if (a.notNode) {
      e.notNode = true;
      e.info = undefined;
    } else if (a.info === undefined) {
      e.unreachable = true;
    } else {
      e.info = a.info;
      e.heardAt = Date.now();
      e.unreachable = false;
    }
  }
}

const STATES = ['serving', 'disabled', 'out of service', 'stopping'];

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
