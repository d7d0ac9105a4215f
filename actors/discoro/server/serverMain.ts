/**
 * Entry of a discoro server process, forked by a discoronode for one computation. One coroutine,
 * 'discoro-server', owns the process: its mailbox receives the node's messages (over the IPC
 * channel) and the ends of jobs while it closes. It waits for `start`, works in its own folder,
 * starts networking (serving job requests, terminations, monitors and files to the computation's
 * client only), imports the components, runs the server setup, and reports `ready`. On `close`
 * it takes no more jobs and waits, receiving with the grace period's deadline, for the running
 * ones to end, then terminates the rest; it exits when they have ended, or at once when the IPC
 * channel closes (its node is gone). In `node-setup` mode it runs the computation's node setup
 * once and exits.
 * @module
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { Scheduler } from '../../../runtime/Scheduler.js';
import type { Coro } from '../../../runtime/Coro.js';
import { AsyncoroError, InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { IPC_CLOSED, IpcPort } from '../../../transports/io/IpcPort.js';
import { Network, type RequestAdmission } from '../../remote/Network.js';
import type { PeerStatus } from '../../../transports/net/PeerStatus.js';
import { Rci } from '../../remote/Rci.js';
import { NotComputationOwnerError, SetupFailedError } from '../../actorErrors.js';
import { ServerRequests, setupRciName, type FromServer, type JobContext, type JobFunctionRef, type ToServer } from '../protocol.js';
import { JobFunctions } from './JobFunctions.js';
import { JobReporter } from './JobReporter.js';
import { JOB_ENDED, ServerJobs } from './ServerJobs.js';

type StartMessage = Extract<ToServer, { type: 'start' }>;
type Mail = ToServer | typeof IPC_CLOSED | typeof JOB_ENDED;

/** After the grace period, how long terminated jobs get to end (and be reported) before the server exits anyway. */
const TERMINATED_JOBS_MS = 2000;
const DEADLINE: unique symbol = Symbol('deadline');
/** How long a server closed by a job waits for its node's close before it exits anyway. */
const RETIRED_MS = 5000;

/**
 * The requests only the computation's client may make of its servers: starting, terminating and
 * watching jobs, calling their RCIs (the server setup), and sending or deleting files. Messages to
 * a job's coroutine (`send`, `deliver`) stay open to any peer holding its reference, so that jobs
 * on different servers can talk.
 */
const OWNER_ONLY = [ServerRequests.run, 'terminate', 'throw', 'watch', 'unwatch', 'monitor', 'rci-run', 'rci-locate', 'file-begin', 'file-chunk', 'file-end', 'file-abort', 'file-del'];

function ownerOnly(client: StartMessage['client'], where: string): RequestAdmission {
  return {
    types: OWNER_ONLY,
    admit: (peer) => peer.incarnation === client.incarnation,
    refuse: (type, peer) => new NotComputationOwnerError(`${type} refused at ${where}: ${peer.location} is not the client of its computation`),
  };
}

function failure(err: unknown): FromServer {
  const e = err as Error & { code?: unknown };
  return { type: 'failed', code: e instanceof AsyncoroError ? e.code : typeof e?.code === 'string' ? e.code : 'ERR_DISCORO_SETUP_FAILED', message: String(e?.message ?? err) };
}

async function runSetup(fns: JobFunctions, sched: Scheduler, setup: { fn: JobFunctionRef; args: unknown[] }, what: string, where: string, context?: JobContext): Promise<void> {
  const fn = fns.resolve(setup.fn);
  const result = await sched.spawnWith({ name: what }, (coro: Coro) => fn.call(context, coro, ...setup.args)).finish();
  if (result !== 0 && result !== undefined) throw new SetupFailedError(`${what} at ${where} returned ${String(result).slice(0, 80)}, not 0`);
}

/** Loads the computation and, for a server, starts serving its jobs; undefined after a node setup. */
async function start(m: StartMessage, sched: Scheduler, node: IpcPort<ToServer, FromServer>, logger: Logger, self: Coro<Mail>): Promise<{ net: Network; jobs: ServerJobs; reporter: JobReporter } | undefined> {
  const where = `${m.nodeName}_proc-${m.index}`;
  const at = `node ${m.nodeName} (${m.mode === 'server' ? `server ${where}` : 'its node setup'})`;
  const workDir = path.join(m.folder, m.mode === 'server' ? `server-${m.index}` : 'node-setup');
  mkdirSync(workDir, { recursive: true });
  process.chdir(workDir);
  logger.level = m.logLevel;
  logger.setBindings({ proc: where });
  const fns = await JobFunctions.load(m.folder, m.manifest, at);
  if (m.mode === 'node-setup') {
    if (m.manifest.nodeSetup !== undefined) await runSetup(fns, sched, m.manifest.nodeSetup, 'node setup', m.nodeName);
    return undefined;
  }
  const o = m.network;
  const net = await Network.start(sched, {
    host: o.host, port: o.port, extHost: o.extHost, secret: o.secret, insecure: o.insecure, tls: o.tls,
    // Hidden: known to its client (which dials it) and to whatever a job reaches, told of to nobody.
    name: where, discover: false, peering: 'hidden', destDir: workDir, maxFileSize: o.maxFileSize,
    heartbeatInterval: o.heartbeatInterval, peerTimeout: o.peerTimeout,
  }, ownerOnly(m.client, where));
  let jobs: ServerJobs | undefined;
  // What every job (and the server setup) gets as `this`.
  const context: JobContext = Object.freeze({
    server: String(net.location), node: m.nodeName, index: m.index, computation: m.computationId, memory: new Map<string, unknown>(),
    closeServer(options?: { restart?: boolean }): void {
      if (jobs === undefined) throw new InvalidArgumentError('a server setup cannot close its server');
      const restart = options?.restart === true;
      if (jobs.retire(restart, self)) node.send({ type: 'retiring', restart });
    },
  });
  const setup = m.manifest.serverSetup;
  if (setup !== undefined && m.manifest.setupOnEnable !== true) await runSetup(fns, sched, setup, 'server setup', where, context);
  if (m.manifest.setupOnEnable === true) {
    new Rci(setupRciName(m.computationId), async (_coro: Coro, args: unknown[] | null) => {
      if (setup !== undefined) await runSetup(fns, sched, { fn: setup.fn, args: args ?? setup.args }, 'server setup', where, context);
      return 0;
    }, { scheduler: sched }).register();
  }
  // The node hears of the jobs in batches (JobReporter): a job's start and end cost a map update.
  const reporter = new JobReporter((r) => node.send(r), sched);
  const serving = (jobs = new ServerJobs(sched, net, fns, reporter, where, context));
  net.handle(ServerRequests.run, (body, peer) => serving.run(body, peer));
  net.peerStatus({
    send: (s: unknown) => {
      const status = s as PeerStatus;
      const peer = status.status === 'online' && status.incarnation === m.client.incarnation ? net.peerByIncarnation(status.incarnation) : undefined;
      if (peer !== undefined) serving.quiet(peer);
      return !net.isStopped;
    },
  });
  return { net, jobs: serving, reporter };
}

async function serve(self: Coro<Mail>, sched: Scheduler, node: IpcPort<ToServer, FromServer>, logger: Logger): Promise<void> {
  node.deliverTo(self);
  // A spare waits for its computation; a spare the node closes (or loses) just exits.
  const first = await self.receive({ filter: (m) => m === IPC_CLOSED || (typeof m === 'object' && (m.type === 'start' || m.type === 'close')) });
  if (first === IPC_CLOSED || typeof first !== 'object' || first.type !== 'start') return process.exit(0);
  let server: Awaited<ReturnType<typeof start>>;
  try {
    server = await start(first, sched, node, logger, self);
  } catch (err) {
    await node.sent(failure(err), { timeout: 5000 });
    return process.exit(3);
  }
  if (server === undefined) {
    await node.sent({ type: 'setup-done' }, { timeout: 5000 });
    return process.exit(0);
  }
  const { net, jobs, reporter } = server;
  node.send({ type: 'ready', location: String(net.location) });
  let terminatedAt = Infinity;
  let closedByNode = false;
  while (!jobs.closing || jobs.count > 0) {
    const wait = jobs.closing ? Math.min(jobs.graceLeft, terminatedAt === Infinity ? Infinity : Math.max(0, terminatedAt + TERMINATED_JOBS_MS - Date.now())) : undefined;
    const m = await self.receive<typeof DEADLINE>({ timeout: wait, alarm: DEADLINE });
    if (m === IPC_CLOSED) return process.exit(0); // the node is gone: so is this server
    if (m === DEADLINE) {
      if (terminatedAt !== Infinity) break; // terminated jobs that do not end do not hold the server
      terminatedAt = Date.now();
      jobs.terminateAll();
    } else if (m === JOB_ENDED) continue;
    else if (m.type === 'terminate') node.send({ type: 'terminated', ref: m.ref, found: jobs.terminate(m.job) });
    else if (m.type === 'close') {
      closedByNode = true;
      jobs.close(m.grace, self); // a second close may cut the grace short
    }
  }
  reporter.stop();
  await node.sent(reporter.report(), { timeout: 1000 }); // the last jobs' ends reach the node
  if (jobs.retiring !== undefined && !closedByNode) {
    // Closed by a job: the node tells the client it closed, then closes it, so that the client
    // never sees it go before it is told.
    node.send({ type: 'retired' });
    const told = await self.receive<typeof DEADLINE>({ timeout: RETIRED_MS, alarm: DEADLINE, filter: (x) => x === IPC_CLOSED || (typeof x === 'object' && x.type === 'close') });
    if (told === IPC_CLOSED) return process.exit(0);
  }
  await net.stop();
  process.exit(0);
}

const logger = pino({ level: 'warn' }, pino.destination(2));
const sched = new Scheduler({ logger });
const node = IpcPort.parent<ToServer, FromServer>(sched);
sched.spawnWith({ name: 'discoro-server' }, (self: Coro<Mail>) => serve(self, sched, node, logger)).finish().catch((err: unknown) => {
  logger.error({ err }, 'discoro server failed'); // its node sees it exit, and its client the server lost
  process.exit(1);
});
node.send({ type: 'loaded' }); // a spare: its code is loaded, it waits for its computation
