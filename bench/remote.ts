/**
 * Remote messaging between two processes on loopback: one-way messages/s to a remote
 * coroutine, `deliver` round-trip latency, and the time to `locate` a remote coroutine.
 * Baselines measured in the same run against the same child: a raw node:net sender/requester
 * using the same framing (4-byte length + CBOR of the same envelope) and coalesced writes.
 *
 * Run: `node dist/bench/remote.js [messages=300000] [roundTrips=5000]`; prints one JSON line per figure.
 * @module
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Decoder, Encoder } from 'cbor-x';
import { Coro, Network, RemoteCoro, Scheduler } from '../index.js';
import { FrameDecoder } from '../extend.js';

const SELF = fileURLToPath(import.meta.url);

/** The child: a node with 'sink' (counts, reports at a target) and 'echo', plus a raw framed server. */
async function serve(): Promise<void> {
  const sched = new Scheduler();
  const node = await Network.start(sched, { discover: false, secret: 'bench' });
  sched.spawnWith({ name: 'sink', daemon: true }, async (coro: Coro<any>) => {
    let count = 0, target = Infinity, reportTo: { send(m: unknown): boolean } | undefined;
    for (;;) {
      const m = await coro.receive();
      if (typeof m === 'number') count++;
      else if (m?.expect !== undefined) ({ target = Infinity, reportTo } = { target: m.expect, reportTo: m.reportTo });
      if (count >= target && reportTo !== undefined) {
        reportTo.send(count);
        count = 0;
        reportTo = undefined;
        target = Infinity;
      }
    }
  }).register();
  sched.spawnWith({ name: 'echo', daemon: true }, async (coro: Coro<any>) => {
    for (;;) await coro.receive();
  }).register();
  const decoder = new Decoder({ useRecords: false });
  const raw = net.createServer({ noDelay: true }, (socket) => {
    const frames = new FrameDecoder(1 << 24);
    let count = 0;
    socket.on('data', (chunk) => {
      frames.push(chunk);
      for (let f = frames.next(); f; f = frames.next()) {
        const msg = decoder.decode(f) as unknown[];
        if (msg[1] === 0) count++;
        else if (msg[2] === 'target') {
          const target = msg[3] as number;
          const check = (): void => void (count >= target ? (socket.write(Buffer.from([1])), (count = 0)) : setImmediate(check));
          check();
        } else socket.write(Buffer.concat([Buffer.from([0, 0, 0, f.length]), f])); // request: echo the frame as the reply
      }
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  process.stdout.write(JSON.stringify({ location: String(node.location), rawPort: (raw.address() as net.AddressInfo).port }) + '\n');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** One-way burst through a raw socket with the same framing, CBOR envelope and write coalescing. */
async function rawOneWay(port: number, n: number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const encoder = new Encoder({ useRecords: false });
  const done = new Promise((r) => socket.once('data', r));
  const t0 = performance.now();
  for (let sent = 0; sent < n; ) {
    const batch: Buffer[] = [];
    for (const end = Math.min(n, sent + 10_000); sent < end; sent++) {
      const payload = encoder.encode([0, 0, 'send', [2, 'sink', sent]]);
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(payload.length);
      batch.push(header, payload);
    }
    socket.write(Buffer.concat(batch));
    await new Promise((r) => setImmediate(r));
  }
  socket.write(frame(encoder.encode([0, 1, 'target', n])));
  await done;
  const seconds = (performance.now() - t0) / 1000;
  socket.destroy();
  return n / seconds;
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

async function rawRoundTrips(port: number, n: number): Promise<number[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const encoder = new Encoder({ useRecords: false });
  const frames = new FrameDecoder();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    socket.write(frame(encoder.encode([0, i + 1, 'deliver', ['x', 1, 'echo', i, null]])));
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer): void => {
        frames.push(chunk);
        if (frames.next() !== undefined) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    times.push((performance.now() - t0) * 1000);
  }
  socket.destroy();
  return times.sort((a, b) => a - b);
}

/** Runs the benchmark against a child process; returns the figures (also printed as JSON lines). */
export async function run(messages = 300_000, roundTrips = 5_000): Promise<object[]> {
  const child: ChildProcess = spawnProcess(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const figures: object[] = [];
  const emit = (f: object): void => {
    figures.push(f);
    console.log(JSON.stringify(f));
  };
  const sched = new Scheduler();
  let node: Network | undefined;
  try {
    const ready = JSON.parse(await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r)));
    node = await Network.start(sched, { discover: false, secret: 'bench' });

    const tl = performance.now();
    await node.peer(ready.location, { timeout: 5000 });
    const connectMs = performance.now() - tl;
    const locateTimes: number[] = [];
    let sink: RemoteCoro | undefined;
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      sink = (await node.locateCoro('sink', { location: ready.location, timeout: 5000 })) as RemoteCoro;
      locateTimes.push((performance.now() - t0) * 1000);
    }
    locateTimes.sort((a, b) => a - b);
    const echo = (await node.locateCoro('echo', { location: ready.location, timeout: 5000 })) as RemoteCoro;

    // warm up both paths
    await rawOneWay(ready.rawPort, 20_000);
    const oneWay = async (n: number): Promise<number> => {
      const me = sched.spawn(async (coro: Coro<number>) => {
        sink!.send({ expect: n, reportTo: coro });
        const t0 = performance.now();
        for (let sent = 0; sent < n; ) {
          for (const end = Math.min(n, sent + 10_000); sent < end; sent++) sink!.send(sent);
          await coro.sleep(0);
        }
        await coro.receive({ timeout: 60_000 });
        return n / ((performance.now() - t0) / 1000);
      });
      return (await me.finish()) as number;
    };
    await oneWay(20_000);
    const raw = await rawOneWay(ready.rawPort, messages);
    const ours = await oneWay(messages);
    emit({ bench: 'remote.send one-way', unit: 'msgs/s', value: Math.round(ours), baseline: 'raw node:net, same framing + CBOR, coalesced', baselineValue: Math.round(raw), ratio: +(ours / raw).toFixed(2), messages });

    const rawRtt = await rawRoundTrips(ready.rawPort, roundTrips);
    const times: number[] = [];
    for (let i = 0; i < roundTrips; i++) {
      const t0 = performance.now();
      await echo.deliver(i, { timeout: 5000 });
      times.push((performance.now() - t0) * 1000);
    }
    times.sort((a, b) => a - b);
    emit({ bench: 'remote.deliver round trip', unit: 'µs', median: +percentile(times, 0.5).toFixed(1), p99: +percentile(times, 0.99).toFixed(1), baseline: 'raw node:net request/reply, same framing', baselineMedian: +percentile(rawRtt, 0.5).toFixed(1), baselineP99: +percentile(rawRtt, 0.99).toFixed(1), roundTrips });
    emit({ bench: 'remote.locate (connected peer)', unit: 'µs', median: +percentile(locateTimes, 0.5).toFixed(1), p99: +percentile(locateTimes, 0.99).toFixed(1), baseline: 'raw request/reply median', baselineMedian: +percentile(rawRtt, 0.5).toFixed(1), firstConnectAndAuthMs: +connectMs.toFixed(2) });
    return figures;
  } finally {
    await node?.stop();
    await sched.terminate();
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--serve') void serve();
  else void run(Number(process.argv[2] ?? 300_000), Number(process.argv[3] ?? 5_000));
}
