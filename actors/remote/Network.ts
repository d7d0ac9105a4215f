/**
 * Distribution for one scheduler, as applications use it: the transport's peer network with the
 * remote layers plugged in (file transfer, coroutines, channels, RCI), attached to the scheduler
 * so that `Coro.locate`, `Channel.locate` and `Rci.locate` reach other nodes.
 * @module
 */
import type { Coro } from '../../runtime/Coro.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import type { SchedulerNetwork } from '../../runtime/networkPort.js';
import { FILE_TRANSFER_LAYER, delFile, sendFile, type DelFileOptions, type SendFileOptions, type SendFileResult } from '../../transports/net/fileTransfer.js';
import { destDirOf } from '../../transports/net/FileReceiver.js';
import type { Location } from '../../transports/net/Location.js';
import type { LocateOptions } from '../../transports/net/PeerLocator.js';
import { PeerNetwork, type NetworkLayer } from '../../transports/net/PeerNetwork.js';
import { PEER_EXCHANGE_LAYER } from '../../transports/net/peerExchange.js';
import { resolveOptions, type NetworkOptions } from '../../transports/net/peerOptions.js';
import { CHANNEL_LAYER } from './RemoteChannel.js';
import { CORO_LAYER, CORO_LOCATE } from './coroRequests.js';
import { RCI_LAYER } from './Rci.js';
import type { RemoteCoro } from './RemoteCoro.js';
import { mailboxStream, type StreamOptions } from '../../runtime/mailboxStream.js';
import type { ActingWaitOptions } from '../../runtime/coroTypes.js';
import { TIMED_OUT, within } from '../../runtime/within.js';
import type { PeerStatus } from '../../transports/net/PeerStatus.js';
import type { Peer, RequestHandler } from '../../transports/net/Peer.js';
import { LogThrottle } from '../../runtime/logging.js';
import type { PeerSnapshot } from '../../runtime/snapshotTypes.js';
import { RemoteWatches } from './RemoteWatches.js';

/** What every Network carries, in order: installed when it starts. */
const REMOTE_LAYERS: readonly NetworkLayer[] = [FILE_TRANSFER_LAYER, PEER_EXCHANGE_LAYER, CORO_LAYER, CHANNEL_LAYER, RCI_LAYER];

/**
 * Which peers may make some of the requests a network serves (a server process serves its
 * computation's client only): the others get `refuse(type, peer)` back, or have a one-way request
 * dropped, before anything of the request is done; each refusal is logged at warn (throttled).
 * @example
 * ```ts
 * const ownerOnly: RequestAdmission = {
 *   types: ['terminate', 'file-begin'],
 *   admit: (peer) => peer.incarnation === nodeId,
 *   refuse: (type) => new Error(`${type} is for the owner only`),
 * };
 * ```
 */
export interface RequestAdmission {
  /** The request types it guards; every other type is served to every authenticated peer. */
  readonly types: readonly string[];
  admit(peer: Peer): boolean;
  refuse(type: string, peer: Peer): Error;
}

/**
 * Distribution for one scheduler.
 *
 * @example
 * ```ts
 * const net = await Network.start(sched, { secret: 's3cret', discoveryTargets: ['127.0.0.1:51350'] });
 * const server = await Coro.locate('server_coro', { scheduler: sched, timeout: 5000 });
 * server?.send('hello');
 * await net.stop();
 * ```
 */
export class Network extends PeerNetwork implements SchedulerNetwork {
  private detach: (() => void) | undefined;
  /** Guarded request types, each with its guard (which finds the handler when called). */
  private readonly guards = new Map<string, RequestHandler>();

  /**
   * Starts networking on `scheduler` (default: the default scheduler). Throws InsecureNetworkError
   * when asked to listen beyond loopback without a secret (unless `insecure: true`),
   * InvalidArgumentError for bad options or a scheduler that already has networking.
   * `admission` (with a scheduler given) serves some request types to some peers only.
   * @example
   * ```ts
   * const net = await Network.start({ port: 9705, name: 'node-1', secret: 'shared' });
   * ```
   */
  static async start(scheduler?: Scheduler | NetworkOptions, options?: NetworkOptions, admission?: RequestAdmission): Promise<Network> {
    if (!(scheduler instanceof Scheduler)) [scheduler, options] = [Scheduler.default(), scheduler ?? options];
    const resolved = resolveOptions(options);
    if (scheduler.network !== undefined) throw new InvalidArgumentError('networking is already started on this scheduler');
    if (!scheduler.isRunning) throw new InvalidArgumentError('the scheduler has stopped');
    const net = new Network(scheduler, resolved, REMOTE_LAYERS);
    if (admission !== undefined) net.guard(admission);
    await net.open();
    try {
      net.detach = scheduler.attachNetwork(net); // another start may have attached meanwhile
    } catch (err) {
      await net.stop();
      throw err;
    }
    return net;
  }

  /** The handler of a request type, behind its admission guard when the type is guarded. */
  override handler(type: string): RequestHandler | undefined {
    const handler = super.handler(type);
    return handler === undefined ? undefined : (this.guards.get(type) ?? handler);
  }

  private guard(admission: RequestAdmission): void {
    if (typeof admission !== 'object' || admission === null || !Array.isArray(admission.types) || typeof admission.admit !== 'function' || typeof admission.refuse !== 'function') {
      throw new InvalidArgumentError('admission needs types, admit(peer) and refuse(type, peer)');
    }
    const refusals = new LogThrottle(1000);
    for (const type of admission.types) {
      this.guards.set(type, (body, peer) => {
        if (!admission.admit(peer)) {
          if (refusals.hit()) this.logger.warn({ peer: String(peer), type: type.slice(0, 60), count: refusals.take() }, 'request refused: this peer may not make it here');
          throw admission.refuse(type, peer);
        }
        return super.handler(type)!(body, peer);
      });
    }
  }

  /**
   * The Network started on `scheduler`, if any.
   * @example
   * ```ts
   * await Network.of(sched)?.stop();
   * ```
   */
  static of(scheduler: Scheduler): Network | undefined {
    const net = scheduler.network;
    return net instanceof Network ? net : undefined;
  }

  /**
   * Finds a coroutine registered under `name`: here, at `location`, or at any peer (first answer
   * wins). `Coro.locate` calls this once networking is started. Undefined on timeout.
   * @example
   * ```ts
   * const server = await net.locateCoro('server_coro', { timeout: 5000 });
   * ```
   */
  locateCoro<M = any, R = any>(name: string, options?: LocateOptions): Promise<Coro<M, R> | RemoteCoro<M, R> | undefined> {
    return this.locator.locate(name, options, CORO_LOCATE) as Promise<Coro<M, R> | RemoteCoro<M, R> | undefined>;
  }

  /**
   * The peer status changes for `for await`: Online for each current peer, then every peer that
   * comes online or goes offline. Breaking out of the loop, or aborting `signal`, unsubscribes.
   * @example
   * ```ts
   * for await (const s of net.peerStatuses()) log(s.name, s.status);
   * ```
   */
  peerStatuses(options?: StreamOptions): AsyncGenerator<PeerStatus, void, undefined> {
    return mailboxStream<PeerStatus>(this.scheduler, 'peer-statuses', (sink) => this.peerStatus(sink), options);
  }

  /**
   * The peers, for `scheduler.snapshot()`, with the watches kept on each: `watching` (this node's
   * monitors, `finish()` waits and pending asks on its coroutines) and `watchedBy` (its watches
   * on coroutines here), beside `requests` pending on it.
   * @example
   * ```ts
   * for (const p of net.snapshotPeers()) log(p.name, p.watching, p.watchedBy);
   * ```
   */
  override snapshotPeers(): PeerSnapshot[] {
    const watches = RemoteWatches.of(this);
    return this.onlinePeers().map((p) => ({ ...p.describe(), ...watches.counts(p) }));
  }

  /** Folder received files go to (the `destDir` option, or `<os.tmpdir()>/asyncoro/<node name>`). */
  get destDir(): string {
    return destDirOf(this);
  }

  /**
   * Sends a file to the node at `location` (see docs/files-transfer.md).
   * @example
   * ```ts
   * const { sent, bytes } = await net.sendFile('127.0.0.1:9705', 'data.bin', { dir: 'inbox', overwrite: true });
   * ```
   */
  sendFile(location: Location | string, path: string, options?: SendFileOptions): Promise<SendFileResult> {
    return sendFile(this, location, path, options);
  }

  /**
   * Deletes a file sent earlier from the node at `location`; false if it was not there.
   * @example
   * ```ts
   * await net.delFile('127.0.0.1:9705', 'data.bin', { dir: 'inbox' });
   * ```
   */
  delFile(location: Location | string, fileName: string, options?: DelFileOptions): Promise<boolean> {
    return delFile(this, location, fileName, options);
  }

  /**
   * Detaches from the scheduler, then closes every connection cleanly (peers are told, pending
   * requests fail with NetworkStoppedError) and stops discovery and listening. Idempotent.
   * Resolves true once the listener has closed, false when `timeout` ms pass first (the stop
   * goes on: connections still open are dropped within 2 s); an aborted signal rejects.
   * @example
   * ```ts
   * await net.stop({ timeout: 1000 });
   * ```
   */
  override async stop(options?: ActingWaitOptions): Promise<boolean> {
    this.detach?.();
    this.detach = undefined;
    if (options === undefined) {
      await super.stop();
      return true;
    }
    return (await within(this.scheduler, super.stop(), options)) !== TIMED_OUT;
  }
}
