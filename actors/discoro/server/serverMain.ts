/**
 * Entry of a discoro server process, forked by a discoronode for one computation. It waits for
 * the node's `start` message on its IPC channel, works in its own folder, starts its own
 * scheduler and network, imports the computation's components, runs the server setup, and
 * registers the RCI through which the client runs jobs; then it reports `ready`. It exits when
 * the node says `close` (after letting running jobs end within the grace period, then
 * terminating them) or when the IPC channel closes (its node is gone). In `node-setup` mode it
 * runs the computation's node setup once and exits.
 * @module
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { Scheduler } from '../../../runtime/Scheduler.js';
import type { Coro } from '../../../runtime/Coro.js';
import { Network } from '../../remote/Network.js';
import { Rci } from '../../remote/Rci.js';
import { Lock } from '../../sync/Lock.js';
import { AsyncoroError } from '../../../runtime/runtimeErrors.js';
import { SetupFailedError } from '../../actorErrors.js';
import { jobRciName, setupRciName, type FromServer, type JobFunctionRef, type ToServer } from '../protocol.js';
import { JobFunctions } from './JobFunctions.js';
import { JobReporter } from './JobReporter.js';

type StartMessage = Extract<ToServer, { type: 'start' }>;

const tell = (m: FromServer): void => {
  if (process.connected) process.send!(m);
};

function fail(err: unknown): void {
  const e = err as Error & { code?: unknown };
  tell({ type: 'failed', code: e instanceof AsyncoroError ? e.code : typeof e?.code === 'string' ? e.code : 'ERR_DISCORO_SETUP_FAILED', message: String(e?.message ?? err) });
  setImmediate(() => process.exit(3));
}

async function runSetup(fns: JobFunctions, sched: Scheduler, setup: { fn: JobFunctionRef; args: unknown[] }, what: string, where: string): Promise<void> {
  const fn = fns.resolve(setup.fn);
  const result = await sched.spawnWith({ name: what }, (coro: Coro) => fn(coro, ...setup.args)).finish();
  if (result !== 0 && result !== undefined) throw new SetupFailedError(`${what} at ${where} returned ${String(result).slice(0, 80)}, not 0`);
}

async function start(m: StartMessage): Promise<void> {
  const where = `${m.nodeName}_proc-${m.index}`;
  const workDir = path.join(m.folder, m.mode === 'server' ? `server-${m.index}` : 'node-setup');
  mkdirSync(workDir, { recursive: true });
  process.chdir(workDir);
  const logger = pino({ level: m.logLevel, base: { proc: where } }, pino.destination(2));
  const sched = new Scheduler({ logger });
  const fns = await JobFunctions.load(m.folder, m.manifest, where);
  if (m.mode === 'node-setup') {
    if (m.manifest.nodeSetup !== undefined) await runSetup(fns, sched, m.manifest.nodeSetup, 'node setup', m.nodeName);
    tell({ type: 'setup-done' });
    setImmediate(() => process.exit(0));
    return;
  }
  const o = m.network;
  const net = await Network.start(sched, {
    host: o.host, port: o.port, extHost: o.extHost, secret: o.secret, insecure: o.insecure, tls: o.tls,
    name: where, discover: false, destDir: workDir, maxFileSize: o.maxFileSize,
    heartbeatInterval: o.heartbeatInterval, peerTimeout: o.peerTimeout,
  });
  const setup = m.manifest.serverSetup;
  if (setup !== undefined && m.manifest.setupOnEnable !== true) await runSetup(fns, sched, setup, 'server setup', where);
  if (m.manifest.setupOnEnable === true) {
    new Rci(setupRciName(m.computationId), async (_coro: Coro, args: unknown[] | null) => {
      if (setup !== undefined) await runSetup(fns, sched, { fn: setup.fn, args: args ?? setup.args }, 'server setup', where);
      return 0;
    }, { scheduler: sched }).register();
  }

  // The node hears of the jobs in batches (JobReporter): a job's start and end cost a map update.
  const running = new Map<number, Coro>();
  const reporter = new JobReporter(tell);
  // CPU jobs run one at a time; the client may send a short one ahead, which waits here.
  const cpuTurn = new Lock();
  const rci = new Rci(jobRciName(m.computationId), async (coro: Coro, ref: JobFunctionRef, args: unknown[], cpu?: boolean) => {
    const fn = fns.resolve(ref);
    // Listed while it waits its turn too: a close or the node's terminate reaches it there.
    running.set(coro.id, coro);
    let ok = false, started = false;
    try {
      if (cpu === true) await cpuTurn.acquire(coro);
      reporter.started(coro.id, ref.name, args);
      started = true;
      const value = await fn(coro, ...args);
      ok = true;
      return value;
    } finally {
      running.delete(coro.id);
      if (started) reporter.ended(coro.id, ok);
      if (cpuTurn.owner === coro) cpuTurn.release(coro);
    }
  }, { scheduler: sched });
  rci.register();

  let closing = false;
  let deadline = Infinity;
  process.on('message', (msg: ToServer) => {
    if (msg.type === 'terminate') {
      const coro = running.get(msg.job);
      tell({ type: 'terminated', ref: msg.ref, found: coro !== undefined && coro.terminate() });
      return;
    }
    if (msg.type !== 'close') return;
    deadline = Math.min(deadline, Date.now() + msg.grace); // a second close may cut the grace short
    if (closing) return;
    closing = true;
    rci.unregister();
    void (async () => {
      // Bounded: each step sleeps 20 ms until the jobs end or the grace period is over.
      while (running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const coro of running.values()) coro.terminate();
      // Let the monitors' 'terminated' reach the clients before the connections close.
      await new Promise((r) => setTimeout(r, running.size > 0 ? 100 : 0));
      reporter.flush(); // the last jobs' ends reach the node
      await net.stop();
      await sched.terminate();
      process.exit(0);
    })();
  });
  tell({ type: 'ready', location: String(net.location) });
}

process.on('disconnect', () => process.exit(0)); // the node is gone: so is this server
process.once('message', (m: ToServer) => {
  if (m.type === 'start') start(m).catch(fail);
});
tell({ type: 'loaded' }); // a spare: its code is loaded, it waits for its computation
