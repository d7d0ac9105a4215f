/**
 * Request/reply, each against a hand-rolled baseline measured in the same run:
 * - local `ask` round trips (sequential, without and with a timeout armed) against a promise
 *   request/reply over a minimal mailbox;
 * - a `Pool` of 4 workers answering asks, 256 in flight, against 4 such mailboxes served in turn;
 * - remote `ask` round trips to another process (a secret: sealed records) against a raw node:net
 *   request/reply with the same framing (4-byte length + CBOR) and no TLS.
 * The hand-rolled ones fail nothing fast: a server that ends (or a lost node) leaves its caller
 * waiting forever, which is what `ask` watches for on every call.
 *
 * Run: `node dist/bench/ask.js` (BENCH_SIZE=smoke for tiny sizes; `--local` skips the remote part).
 * @module
 */
import { spawn as spawnProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Decoder, Encoder } from 'cbor-x';
import { ask, Network, Pool, Scheduler, type Address, type Coro, type RemoteCoro } from '../index.js';
import { FrameDecoder } from '../extend.js';
import { BaselineMailbox } from './baselineMailbox.js';
import { isMain, printFigure, since, sized, type Size } from './figure.js';

const SELF = fileURLToPath(import.meta.url);
const SECRET = 'bench';

type Request = { x: number; replyTo: Address<number> };

async function askRate(n: number, timeout: number | undefined): Promise<number> {
  const sched = new Scheduler();
  const server = sched.spawnWith({ daemon: true, name: 'squarer' }, async (coro: Coro<Request>) => {
    for (;;) {
      const { x, replyTo } = await coro.receive();
      replyTo.send(x * x);
    }
  });
  const options = timeout === undefined ? undefined : { timeout };
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) sum += await ask(server, (replyTo) => ({ x: i & 1023, replyTo }), options);
  const rate = n / since(start);
  await sched.terminate();
  if (sum < 0) throw new Error('unreachable');
  return rate;
}

type BaselineRequest = { x: number; reply: (y: number) => void };

async function baselineRate(n: number): Promise<number> {
  const box = new BaselineMailbox<BaselineRequest>();
  let running = true;
  const server = (async () => {
    while (running) {
      const { x, reply } = await box.receive();
      reply(x * x);
    }
  })();
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) sum += await new Promise<number>((reply) => box.send({ x: i & 1023, reply }));
  const rate = n / since(start);
  running = false;
  box.send({ x: 0, reply: () => undefined });
  await server;
  if (sum < 0) throw new Error('unreachable');
  return rate;
}

async function poolRate(n: number, window: number): Promise<number> {
  const sched = new Scheduler();
  const pool = await Pool.start(async (coro: Coro<Request>) => {
    for (;;) {
      const { x, replyTo } = await coro.receive();
      replyTo.send(x * x);
    }
  }, { size: 4, scheduler: sched });
  const start = performance.now();
  for (let done = 0; done < n; done += window) await Promise.all(Array.from({ length: window }, (_, i) => ask(pool, (replyTo) => ({ x: i, replyTo }))));
  const rate = n / since(start);
  await pool.stop();
  await sched.terminate();
  return rate;
}

async function poolBaselineRate(n: number, window: number): Promise<number> {
  const boxes = Array.from({ length: 4 }, () => new BaselineMailbox<BaselineRequest | null>());
  const servers = boxes.map(async (box) => {
    for (;;) {
      const m = await box.receive();
      if (m === null) return;
      m.reply(m.x * m.x);
    }
  });
  let next = 0;
  const start = performance.now();
  for (let done = 0; done < n; done += window) {
    await Promise.all(Array.from({ length: window }, (_, i) => new Promise<number>((reply) => boxes[next++ & 3]!.send({ x: i, reply }))));
  }
  const rate = n / since(start);
  for (const box of boxes) box.send(null);
  await Promise.all(servers);
  return rate;
}

/** The child process: a node with a squarer, and a raw framed server answering [x] with [x * x]. */
async function serve(): Promise<void> {
  const secure = new Scheduler(), plain = new Scheduler();
  const node = await Network.start(secure, { discover: false, secret: SECRET });
  const plainNode = await Network.start(plain, { discover: false });
  for (const sched of [secure, plain]) {
    sched.spawnWith({ name: 'squarer', daemon: true }, async (coro: Coro<Request>) => {
      for (;;) {
        const { x, replyTo } = await coro.receive();
        replyTo.send(x * x);
      }
    }).register();
  }
  const raw = net.createServer({ noDelay: true }, (socket) => {
    const frames = new FrameDecoder(1 << 20);
    const decoder = new Decoder({ useRecords: false });
    const encoder = new Encoder({ useRecords: false });
    socket.on('data', (chunk) => {
      frames.push(chunk);
      for (let f = frames.next(); f; f = frames.next()) {
        const [id, x] = decoder.decode(f) as [number, number];
        socket.write(frame(encoder.encode([id, x * x])));
      }
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  process.stdout.write(JSON.stringify({ location: String(node.location), plain: String(plainNode.location), rawPort: (raw.address() as net.AddressInfo).port }) + '\n');
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

/** Hand-rolled remote request/reply: a promise per request, matched by id, over one raw socket. */
async function rawRemoteRate(port: number, n: number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const frames = new FrameDecoder(1 << 20);
  const decoder = new Decoder({ useRecords: false });
  const encoder = new Encoder({ useRecords: false });
  const pending = new Map<number, (y: number) => void>();
  socket.on('data', (chunk) => {
    frames.push(chunk);
    for (let f = frames.next(); f; f = frames.next()) {
      const [id, y] = decoder.decode(f) as [number, number];
      pending.get(id)?.(y);
      pending.delete(id);
    }
  });
  const start = performance.now();
  for (let i = 1; i <= n; i++) await new Promise<number>((reply) => (pending.set(i, reply), socket.write(frame(encoder.encode([i, i & 1023])))));
  const rate = n / since(start);
  socket.destroy();
  return rate;
}

async function remoteAskRate(squarer: RemoteCoro<Request>, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await ask(squarer, (replyTo) => ({ x: i & 1023, replyTo }), { timeout: 5000 });
  return n / since(start);
}

/** Remote figures against a child process. */
async function runRemote(n: number, reps: number): Promise<void> {
  const child = spawnProcess(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sched = new Scheduler();
  try {
    const ready = JSON.parse(await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r))) as { location: string; plain: string; rawPort: number };
    const node = await Network.start(sched, { discover: false, secret: SECRET });
    const plainSched = new Scheduler();
    const plainNode = await Network.start(plainSched, { discover: false });
    const squarer = (await node.locateCoro<Request>('squarer', { location: ready.location, timeout: 5000 })) as RemoteCoro<Request>;
    const plainSquarer = (await plainNode.locateCoro<Request>('squarer', { location: ready.plain, timeout: 5000 })) as RemoteCoro<Request>;
    await remoteAskRate(squarer, n / 10);
    await remoteAskRate(plainSquarer, n / 10);
    await rawRemoteRate(ready.rawPort, n / 10);
    let base = 0, value = 0, plainValue = 0;
    for (let r = 0; r < reps; r++) {
      base = Math.max(base, await rawRemoteRate(ready.rawPort, n));
      value = Math.max(value, await remoteAskRate(squarer, n));
      plainValue = Math.max(plainValue, await remoteAskRate(plainSquarer, n));
    }
    const target = 'raw node:net request/reply, same framing, plaintext';
    printFigure({ bench: 'ask', metric: 'remote_ask_round_trips_per_s_secret', value, baseline: base, target });
    printFigure({ bench: 'ask', metric: 'remote_ask_round_trips_per_s_plaintext', value: plainValue, baseline: base, target });
    await node.stop();
    await plainNode.stop();
    await plainSched.terminate();
  } finally {
    await sched.terminate();
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }
}

/** Prints the ask figures. */
export async function run(size: Size = 'full', remote = true): Promise<void> {
  const n = sized(size, 20_000, 1_000_000);
  const reps = sized(size, 1, 5);
  await askRate(n / 10, undefined);
  await baselineRate(n / 10);
  // Interleaved rounds, best of each: the least disturbed run of both.
  let base = 0, plain = 0, timed = 0;
  for (let r = 0; r < reps; r++) {
    base = Math.max(base, await baselineRate(n));
    plain = Math.max(plain, await askRate(n, undefined));
    timed = Math.max(timed, await askRate(n, 5000));
  }
  printFigure({ bench: 'ask', metric: 'local_ask_round_trips_per_s', value: plain, baseline: base, target: '>= 0.5 of hand-rolled' });
  printFigure({ bench: 'ask', metric: 'local_ask_round_trips_per_s_with_timeout', value: timed, baseline: base, target: '>= 0.5 of hand-rolled' });
  const window = 256;
  const m = sized(size, 4096, 1_024_000);
  await poolRate(m / 8, window);
  await poolBaselineRate(m / 8, window);
  let poolBase = 0, pool = 0;
  for (let r = 0; r < reps; r++) {
    poolBase = Math.max(poolBase, await poolBaselineRate(m, window));
    pool = Math.max(pool, await poolRate(m, window));
  }
  printFigure({ bench: 'ask', metric: 'pool_of_4_asks_per_s_256_in_flight', value: pool, baseline: poolBase, target: '4 hand-rolled mailboxes served in turn' });
  if (remote) await runRemote(sized(size, 500, 20_000), sized(size, 1, 3));
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === '--serve') await serve();
  else await run((process.env.BENCH_SIZE as Size) ?? 'full', process.argv[2] !== '--local');
}
