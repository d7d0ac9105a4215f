/**
 * What every worker thread of a `Threads` group runs: a scheduler of its own (the thread's
 * default one, so modules placed on it can use `spawn` as anywhere else) with networking, linked
 * to its owner by the port it was given and to its siblings by the ports the owner hands on; it
 * serves `thread-spawn` and `thread-snapshot` to them, and says it is ready. On `stop` it
 * terminates its coroutines (their monitors hear 'terminated'), says goodbye and ends.
 * @module
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Scheduler } from '../../runtime/Scheduler.js';
import { Location } from '../../transports/net/Location.js';
import { PeerKeys } from '../../transports/net/PeerKeys.js';
import { PortLink } from '../../transports/net/PortLink.js';
import { Network } from '../remote/Network.js';
import { ThreadFunctions } from './ThreadFunctions.js';
import { ThreadLogger } from './ThreadLogger.js';
import { installThreadRequests } from './threadRequests.js';
import { isSpareData, type NodeIdentityData, type SpareWarm, type ThreadReady, type ThreadSetup, type ToSpare, type ToThread } from './threadProtocol.js';

/** How long a stopping thread waits for its coroutines to end before it goes anyway. */
const STOP_GRACE_MS = 1000;

async function main(setup: ThreadSetup, control: MessagePort): Promise<void> {
  // Records go to the owner's logger, which writes them: no pino here.
  const logger = new ThreadLogger(setup.log.port, setup.log.level).child({ thread: setup.name });
  const sched = new Scheduler({ logger: logger.asLogger() });
  Scheduler.setDefault(sched);
  const { listen, ...settings } = setup.network;
  const keys = listen?.keys === undefined ? undefined : PeerKeys.fromMaterial(listen.keys);
  const net = await Network.start(sched, {
    ...settings,
    name: setup.name,
    discover: false,
    // The owner's network passed the checks of its addresses and secret; its keys protect this one too.
    ...(listen === undefined ? {} : { host: listen.hosts, extHost: listen.extHost, peering: listen.peering, insecure: true }),
    inProcess: { incarnation: setup.incarnation, listen: listen !== undefined, keys },
  });
  installThreadRequests(net, new ThreadFunctions(setup.name));

  const link = (identity: NodeIdentityData, port: MessagePort, initiator: boolean, onControl?: (m: unknown) => void): void => {
    net.links.join({ nodeId: identity.incarnation, name: identity.name, location: new Location(identity.host, identity.port) }, (events) =>
      new PortLink(port, { initiator, judgesSilence: false, control: onControl, hold: () => sched.isBehind }, events),
    );
  };
  let stopping = false;
  const onControl = (message: unknown): void => {
    const m = message as ToThread;
    if (m?.kind === 'link' && !net.isStopped) link(m.identity, m.port, false);
    else if (m?.kind === 'stop' && !stopping) {
      stopping = true;
      void stop(sched, net).finally(() => control.close());
    }
  };
  // The owner hands on links to siblings and says stop over its own port, in order with its
  // requests: a coroutine placed here after a sibling started already has the link to it, and
  // every request sent before the stop is served first.
  link(setup.owner, setup.ownerPort, false, onControl);
  // Listening on the parent port keeps the thread alive (the peer ports are let go while idle)
  // until it stops.
  control.on('message', onControl);
  const ready: ThreadReady = { kind: 'ready', host: net.location.host, port: net.location.port };
  control.postMessage(ready);
}

/** Terminates the coroutines (monitors elsewhere hear 'terminated'), then says goodbye to every peer. */
async function stop(sched: Scheduler, net: Network): Promise<void> {
  const live = sched.snapshot().coroutines.flatMap((c) => sched.coro(c.id) ?? []);
  for (const coro of live) coro.terminate();
  await Promise.all(live.map((coro) => coro.finish({ timeout: STOP_GRACE_MS }).catch(() => undefined)));
  await net.stop();
  await sched.terminate();
}

/** A spare: warm (the runtime loaded), it waits for the place it is to take, then starts there. */
function waitForPlace(control: MessagePort): void {
  const take = (message: unknown): void => {
    const m = message as ToSpare | null;
    if (m?.kind !== 'setup') return;
    control.off('message', take);
    void main(m.setup, control);
  };
  control.on('message', take);
  const warm: SpareWarm = { kind: 'warm' };
  control.postMessage(warm);
}

if (parentPort !== null) {
  if (isSpareData(workerData)) waitForPlace(parentPort);
  else await main(workerData as ThreadSetup, parentPort);
}
