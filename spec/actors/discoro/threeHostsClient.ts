/**
 * Child process of spec/actors/discoro/threeHosts.spec.ts, run in its own host (a network
 * namespace): a discoro client that finds two nodes (by broadcast, or through one seed), runs
 * jobs on both, then, while jobs run on both, reports what it sees when the spec cuts one
 * node's link, and finishes the computation on the other. It prints one JSON object a line
 * (`event`: ready, spread, running, lost, finished, closed) and takes the secret from
 * DISCORO_SECRET. Usage: node threeHostsClient.js '<json config>'.
 */
import { ServerLostError } from '../../../actors/actorErrors.js';
import { Computation } from '../../../actors/discoro/client/Computation.js';
import type { DiscoroStatus } from '../../../actors/discoro/client/discoroStatus.js';

/** What the spec passes as argv[2]. */
export interface ClientConfig {
  host: string;
  component: string;
  discover: boolean;
  seeds: string[];
  /** The host (address) whose link the spec cuts. */
  victim: string;
  heartbeatInterval: number;
  peerTimeout: number;
}

/** A job's result: which server process, on which host. */
export interface Where {
  i: number;
  pid: number;
  address: string;
}

const config = JSON.parse(process.argv[2]!) as ClientConfig;
const say = (event: string, data: object = {}): void => void process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
const started = Date.now();
// Whatever happens, this process ends: the spec's waits are bounded, and so is this one.
setTimeout(() => {
  say('gave-up');
  process.exit(4);
}, 60_000).unref();

const c = new Computation({
  components: [config.component],
  secret: process.env.DISCORO_SECRET,
  pulseInterval: 200,
  network: { host: config.host, discover: config.discover, seeds: config.seeds, heartbeatInterval: config.heartbeatInterval, peerTimeout: config.peerTimeout },
});
const seen: DiscoroStatus[] = [];
const waiters: Array<() => void> = [];
void (async () => {
  for await (const s of c.status()) {
    seen.push(s);
    if (s.kind === 'job-abandoned' || s.kind === 'node-disconnected' || s.kind === 'server-disconnected' || s.kind === 'node-failed') {
      say('status', { kind: s.kind, at: Date.now() - started, ...(s.kind === 'job-abandoned' ? { server: s.info.server, code: (s.error as { code?: string }).code } : {}), ...(s.kind === 'node-disconnected' || s.kind === 'node-failed' ? { node: s.node } : {}), ...(s.kind === 'server-disconnected' ? { server: s.server.location } : {}) });
    }
    for (const w of waiters.splice(0)) w();
  }
})();

async function until(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; seen ${seen.map((s) => s.kind).join(', ')}`);
    await new Promise<void>((r) => {
      const t = setTimeout(r, Math.max(0, deadline - Date.now()));
      waiters.push(() => {
        clearTimeout(t);
        r();
      });
    });
  }
}

const nodeOf = (address: string): string => c.servers().find((s) => s.node.startsWith(`${address}:`))?.node ?? '';

try {
  if (!(await c.schedule({ timeout: 20_000 }))) throw new Error('no server within 20 s');
  await until(() => seen.filter((s) => s.kind === 'node-initialized').length >= 2, 'two nodes initialized');
  say('ready', { id: c.id, nodes: c.nodes().sort(), servers: c.servers().map((s) => ({ location: s.location, node: s.node, pid: s.pid })) });

  // CPU jobs: one per server at a time, so four jobs of 300 ms need both servers.
  say('spread', { results: await c.runResults<Where>('whereami', [[0, 300], [1, 300], [2, 300], [3, 300]]) });

  // Jobs on both nodes, then the spec cuts the victim off: an async job there that never ends,
  // and two CPU jobs (one per server) that retry elsewhere when their server is lost.
  const victimNode = nodeOf(config.victim);
  const hanging = await c.runAsyncAt(victimNode === '' ? config.victim : victimNode, 'forever');
  if (hanging === false) throw new Error('no server for the hanging job');
  const lostHanging = hanging.finish({ timeout: 30_000 }).then(
    () => say('hanging-finished'),
    (err: Error) => say('lost', { at: Date.now() - started, job: 'forever', name: err.name, code: (err as { code?: string }).code, serverLost: ServerLostError.is(err) }),
  );
  const batch = Promise.all([1, 2].map((i) => c.runResultWith<Where>({ retries: 2, timeout: 30_000 }, 'whereami', i, 1500)));
  await until(() => seen.filter((s) => s.kind === 'job-created' && s.info.fn === 'whereami' && s.info.args[1] === 1500).length === 2, 'both batch jobs running');
  const running = seen.flatMap((s) => (s.kind === 'job-created' ? [{ fn: s.info.fn, server: s.info.server }] : []));
  say('running', { at: Date.now() - started, jobs: running.slice(-3) });

  const results = await batch;
  await lostHanging;
  // What comes after the cut runs where the servers are left.
  const after = await c.runResults<Where>('whereami', [[3, 10], [4, 10], [5, 10]]);
  say('finished', { results, after, nodes: c.nodes() });
  await c.close({ terminate: true, timeout: 5000 });
  say('closed');
  process.exit(0);
} catch (err) {
  say('error', { message: String((err as Error).stack ?? err) });
  process.exit(3);
}
