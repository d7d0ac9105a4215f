/**
 * The pattern for services: an actor system embedded in a `node:http` server. Request handlers
 * `ask` a supervised pool of worker coroutines and a registered cache coroutine; a request that
 * times out inside the actor system is a 504, a worker crash a 500 (with the supervisor's crash
 * report on stderr, and the worker restarted), never a hung socket. SIGTERM (or SIGINT) shuts
 * down gracefully: stop accepting, let in-flight requests finish, stop the actors, exit 0.
 *
 * Run: `node dist/examples/http_service.js [port]` (default: ephemeral, printed), then
 * `curl 'http://127.0.0.1:<port>/square?x=12'`, `/slow?ms=2000` (504), `/crash` (500).
 * REQUEST_TIMEOUT (ms, default 1000) bounds each request inside the actor system.
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { ask, Coro, CoroFinishedError, Pool, Scheduler, Supervisor, TimeoutError, type Address } from '../index.js';

type Job = { op: 'square' | 'slow' | 'crash'; x: number; deadline: number; replyTo: Address<number> };
type CacheRequest = { get: number; replyTo: Address<number | null> } | { put: number; value: number };

const WORKERS = 4;

/**
 * A worker squares numbers (slowly when asked to); a 'crash' job is a bug that kills it. The
 * request's deadline travels with the job: work nobody waits for any more is dropped.
 */
async function worker(coro: Coro<Job>): Promise<void> {
  for await (const job of coro.messages()) {
    if (job.op === 'crash') throw new Error(`worker ${coro.name} hit a bug`);
    if (job.op === 'slow') {
      const left = job.deadline - Date.now();
      await coro.sleep(Math.max(0, Math.min(job.x, left)));
      if (job.x > left) continue; // past the deadline: the caller has had its 504
    }
    job.replyTo.send(job.x * job.x);
  }
}

/** The cache: one registered coroutine owns the map, so no lock is needed. */
async function cache(coro: Coro<CacheRequest>): Promise<void> {
  coro.register('cache');
  const squares = new Map<number, number>();
  for await (const msg of coro.messages()) {
    if ('put' in msg) squares.set(msg.put, msg.value);
    else msg.replyTo.send(squares.get(msg.get) ?? null);
  }
}

/** Starts the service; resolves once it has shut down after a signal. */
export async function main(port = Number(process.argv[2] ?? 0)): Promise<void> {
  const timeout = Number(process.env.REQUEST_TIMEOUT ?? 1000);
  const sched = new Scheduler();
  // The workers: a pool behind one address (round-robin), restarted after a crash.
  const workers = await Pool.start(worker, { size: WORKERS, scheduler: sched, maxRestarts: 100, withinMs: 1000 });
  const actors = await Supervisor.start([{ id: 'cache', start: cache }], { scheduler: sched, maxRestarts: 100, withinMs: 1000 });

  const answer = async (url: URL): Promise<unknown> => {
    const x = Number(url.searchParams.get('x') ?? url.searchParams.get('ms') ?? 0);
    const deadline = Date.now() + timeout;
    if (url.pathname === '/square') {
      const store = (await Coro.locate<CacheRequest>('cache', { scheduler: sched, timeout }))!;
      const hit = await ask(store, (replyTo) => ({ get: x, replyTo }), { timeout });
      if (hit !== null) return { x, y: hit, cached: true };
      const y = await ask(workers, (replyTo) => ({ op: 'square', x, deadline, replyTo }), { timeout });
      store.send({ put: x, value: y });
      return { x, y, cached: false };
    }
    if (url.pathname === '/slow') return { ms: x, y: await ask(workers, (replyTo) => ({ op: 'slow', x, deadline, replyTo }), { timeout }) };
    if (url.pathname === '/crash') return ask(workers, (replyTo) => ({ op: 'crash', x, deadline, replyTo }), { timeout });
    return undefined;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    console.log(`${req.method} ${url.pathname}${url.search}`);
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    answer(url).then(
      (body) => (body === undefined ? reply(404, { error: 'not found' }) : reply(200, body)),
      (err: unknown) => {
        if (TimeoutError.is(err)) reply(504, { error: 'the actors did not answer in time' });
        else if (CoroFinishedError.is(err)) reply(500, { error: 'a worker crashed; it has been restarted' });
        else reply(500, { error: String(err) });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  console.log(`listening on ${(server.address() as { port: number }).port}`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  console.log(`${signal}: closing`);
  const closed = new Promise<void>((resolve) => server.close(() => resolve())); // in-flight requests finish first
  server.closeIdleConnections();
  await closed;
  await workers.stop({ timeout: 5000 });
  await actors.stop({ timeout: 5000 });
  await sched.finish();
  console.log('stopped');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
