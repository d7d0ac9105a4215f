/**
 * C10K: one AsyncSocket echo server (a coroutine per connection) holds 10,000
 * concurrent connections from a client child process, each doing 10
 * request/response round trips. Reports requests/s and server memory per
 * connection against a raw node:net echo server measured in the same run.
 *
 * Run: `node dist/bench/c10k.js [conns=10000] [rounds=10]`.
 * @module
 */
import { spawn as spawnProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { AsyncServer, Scheduler, SocketClosedError, type AsyncSocket, type Coro } from '../index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Server {
  port: number;
  close(): void;
}

interface Figures {
  requestsPerS: number;
  heapPerConn: number;
  rssPerConn: number;
  completed: number;
}

async function asyncoroServer(sched: Scheduler): Promise<Server> {
  const server = await AsyncServer.listen({ port: 0, backlog: 4096, maxPending: 20000, scheduler: sched });
  const echo = async (coro: Coro, conn: AsyncSocket): Promise<void> => {
    try {
      for (;;) {
        const data = await conn.recv(4096, { coro });
        if (data.length === 0) break;
        await conn.sendAll(data, { coro });
      }
    } catch {
      // the client resets its connections when it is done
    }
    conn.close();
  };
  sched.spawnWith({ daemon: true }, async (coro) => {
    try {
      for (;;) sched.spawn(echo, await server.accept({ coro }));
    } catch (err) {
      if (!SocketClosedError.is(err)) throw err; // the bench closed the server: the accept loop is over
    }
  });
  return { port: server.port, close: () => server.close() };
}

async function rawServer(): Promise<Server> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function memory(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
}

async function measure(server: Server, conns: number, rounds: number): Promise<Figures> {
  const before = memory();
  const clientJs = fileURLToPath(new URL('./c10kClient.js', import.meta.url));
  const cmd = `ulimit -n 65536 2>/dev/null || ulimit -n 20000 2>/dev/null; exec "${process.execPath}" "${clientJs}" ${server.port} ${conns} ${rounds}`;
  const child = spawnProcess('bash', ['-c', cmd], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    let out = '';
    const line = (re: RegExp): Promise<string> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`c10k client: no ${re} within 120 s; got ${out}`)), 120000);
        const check = (): void => {
          const m = out.match(re);
          if (m) {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve(m[0]);
          }
        };
        const onData = (c: Buffer): void => {
          out += c.toString();
          check();
        };
        child.stdout!.on('data', onData);
        check();
      });
    await line(/connected\n/);
    await new Promise((r) => setTimeout(r, 200)); // let the last accepts settle
    const held = memory();
    child.stdin!.write('go\n');
    const result = JSON.parse(await line(/\{.*\}\n/)) as { elapsedMs: number; requests: number; completed: number };
    return {
      requestsPerS: result.requests / (result.elapsedMs / 1000),
      heapPerConn: (held.heap - before.heap) / conns,
      rssPerConn: (held.rss - before.rss) / conns,
      completed: result.completed,
    };
  } finally {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    server.close();
  }
}

function figure(metric: string, value: number, baseline: number): void {
  const round = (x: number): number => Math.round(x * 100) / 100;
  console.log(JSON.stringify({ bench: 'c10k', metric, value: round(value), baseline: round(baseline), ratio: round(baseline === 0 ? 0 : value / baseline) }));
}

/** Runs the benchmark and prints one JSON line per figure. */
export async function run(conns = 10000, rounds = 10): Promise<void> {
  const sched = new Scheduler();
  const raw = await measure(await rawServer(), conns, rounds);
  const ours = await measure(await asyncoroServer(sched), conns, rounds);
  await sched.terminate();
  figure('connections_completed', ours.completed, raw.completed);
  figure('requests_per_s', ours.requestsPerS, raw.requestsPerS);
  figure('server_heap_bytes_per_connection', ours.heapPerConn, raw.heapPerConn);
  figure('server_rss_bytes_per_connection', ours.rssPerConn, raw.rssPerConn);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(Number(process.argv[2] ?? 10000), Number(process.argv[3] ?? 10));
}
