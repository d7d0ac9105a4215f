/**
 * Remote messaging between two processes on loopback: one-way messages/s to a remote coroutine,
 * `deliver` round-trip latency and the time to `locate` a remote coroutine, over the protected
 * channel (a secret: TLS 1.3 with a pre-shared key) and over plaintext (no secret, loopback).
 * Baselines measured in the same run against the same child: a raw node:net sender/requester with
 * the same framing (4-byte length + CBOR of the same envelope) and coalesced writes; the same raw
 * sender with the peer protocol's batch frames (what our framing costs without the runtime); and, to show
 * what TLS itself costs, the same raw sender over node:tls with the same PSK settings.
 *
 * Run: `node dist/bench/remote.js [messages=300000] [roundTrips=5000]`; prints one JSON line per figure.
 * @module
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Decoder, Encoder } from 'cbor-x';
import { Coro, Network, RemoteCoro, Scheduler } from '../index.js';
import { FrameDecoder } from '../extend.js';
import { BATCH, packFrames } from '../transports/net/frameBatch.js';

const SELF = fileURLToPath(import.meta.url);
/**
 * The one-way figures send bursts of 10,000 messages per event-loop turn, and again bursts of
 * this many: Node's TLS socket ships a bounded amount of encrypted output per turn (about ten
 * TLS buffers: TLSWrap keeps one write in flight and finishes even a synchronous one on the next
 * turn), so a sender that holds the loop for long bursts is capped by its turn rate over TLS.
 */
const SMALL_BURST = 100;
const SECRET = 'bench';
/** The raw TLS baseline: TLS 1.3, external PSK, AES-128-GCM, as a node with a secret uses. */
const PSK = Buffer.alloc(32, 7);
const PSK_TLS = { ciphers: 'TLS_AES_128_GCM_SHA256', minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

function sinkAndEcho(sched: Scheduler): void {
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
}

/** The raw framed server: counts one-way frames, answers 'target' once reached, echoes requests. */
function rawHandler(socket: net.Socket): void {
  const decoder = new Decoder({ useRecords: false });
  const frames = new FrameDecoder(1 << 24);
  let count = 0;
  socket.setNoDelay(true);
  socket.on('data', (chunk) => {
    frames.push(chunk);
    for (let f = frames.next(); f; f = frames.next()) {
      const msg = decoder.decode(f) as unknown[];
      if (msg[0] === BATCH) count += msg.length - 1; // a batch frame of one-way messages
      else if (msg[1] === 0) count++;
      else if (msg[2] === 'target') {
        const target = msg[3] as number;
        const check = (): void => void (count >= target ? (socket.write(Buffer.from([1])), (count = 0)) : setImmediate(check));
        check();
      } else socket.write(Buffer.concat([Buffer.from([0, 0, 0, f.length]), f])); // request: echo the frame as the reply
    }
  });
}

/** The child: a node with a secret and one without (each with 'sink' and 'echo'), a raw framed server over TCP and over TLS-PSK. */
async function serve(): Promise<void> {
  const secureSched = new Scheduler(), plainSched = new Scheduler();
  const secure = await Network.start(secureSched, { discover: false, secret: SECRET });
  const plain = await Network.start(plainSched, { discover: false });
  sinkAndEcho(secureSched);
  sinkAndEcho(plainSched);
  const raw = net.createServer({ noDelay: true }, rawHandler);
  const rawTls = tls.createServer({ ...PSK_TLS, pskCallback: () => PSK }, rawHandler);
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => rawTls.listen(0, '127.0.0.1', r));
  const port = (s: net.Server): number => (s.address() as net.AddressInfo).port;
  process.stdout.write(JSON.stringify({ secure: String(secure.location), plain: String(plain.location), rawPort: port(raw), rawTlsPort: port(rawTls) }) + '\n');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function connectRaw(port: number, overTls: boolean): Promise<net.Socket> {
  const socket = overTls
    ? tls.connect({ host: '127.0.0.1', port, ...PSK_TLS, pskCallback: () => ({ psk: PSK, identity: 'bench' }), checkServerIdentity: () => undefined })
    : net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once(overTls ? 'secureConnect' : 'connect', r));
  return socket;
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

/**
 * One-way burst through a raw socket with the same CBOR envelope and write coalescing: one frame
 * per message (`batched` false), or the peer protocol's batch frames (frameBatch.ts).
 */
async function rawOneWay(port: number, overTls: boolean, n: number, batched = false, burst = 10_000): Promise<number> {
  const socket = await connectRaw(port, overTls);
  const encoder = new Encoder({ useRecords: false });
  const done = new Promise((r) => socket.once('data', r));
  const t0 = performance.now();
  for (let sent = 0; sent < n; ) {
    const batch: Buffer[] = [];
    for (const end = Math.min(n, sent + burst); sent < end; sent++) {
      const message = encoder.encode([0, 0, 'send', [2, 'sink', sent]]);
      batch.push(batched ? message : frame(message));
    }
    socket.write(batched ? packFrames(batch).bytes : Buffer.concat(batch));
    await new Promise((r) => setImmediate(r));
  }
  socket.write(frame(encoder.encode([0, 1, 'target', n])));
  await done;
  const seconds = (performance.now() - t0) / 1000;
  socket.destroy();
  return n / seconds;
}

async function rawRoundTrips(port: number, overTls: boolean, n: number): Promise<number[]> {
  const socket = await connectRaw(port, overTls);
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

const latency = (sorted: number[]): { median: number; p99: number } => ({ median: +percentile(sorted, 0.5).toFixed(1), p99: +percentile(sorted, 0.99).toFixed(1) });

/** Our side against one of the child's nodes: connect, locate, one-way burst, deliver round trips. */
async function measureNode(location: string, secret: string | undefined, messages: number, roundTrips: number) {
  const sched = new Scheduler();
  const node = await Network.start(sched, { discover: false, secret });
  try {
    const tl = performance.now();
    await node.peer(location, { timeout: 5000 });
    const connectMs = performance.now() - tl;
    const locateTimes: number[] = [];
    let sink: RemoteCoro | undefined;
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      sink = (await node.locateCoro('sink', { location, timeout: 5000 })) as RemoteCoro;
      locateTimes.push((performance.now() - t0) * 1000);
    }
    const echo = (await node.locateCoro('echo', { location, timeout: 5000 })) as RemoteCoro;
    const oneWay = async (n: number, burst = 10_000): Promise<number> => {
      const me = sched.spawn(async (coro: Coro<number>) => {
        sink!.send({ expect: n, reportTo: coro });
        const t0 = performance.now();
        for (let sent = 0; sent < n; ) {
          for (const end = Math.min(n, sent + burst); sent < end; sent++) sink!.send(sent);
          await coro.sleep(0);
        }
        await coro.receive({ timeout: 60_000 });
        return n / ((performance.now() - t0) / 1000);
      });
      return (await me.finish()) as number;
    };
    await oneWay(20_000); // warm up
    const rate = await oneWay(messages);
    const rateSmallBursts = await oneWay(messages, SMALL_BURST);
    const times: number[] = [];
    for (let i = 0; i < roundTrips; i++) {
      const t0 = performance.now();
      await echo.deliver(i, { timeout: 5000 });
      times.push((performance.now() - t0) * 1000);
    }
    return { rate, rateSmallBursts, rtt: times.sort((a, b) => a - b), locate: locateTimes.sort((a, b) => a - b), connectMs };
  } finally {
    await node.stop();
    await sched.terminate();
  }
}

/** Runs the benchmark against a child process; returns the figures (also printed as JSON lines). */
export async function run(messages = 300_000, roundTrips = 5_000): Promise<object[]> {
  const child: ChildProcess = spawnProcess(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const figures: object[] = [];
  const emit = (f: object): void => {
    figures.push(f);
    console.log(JSON.stringify(f));
  };
  try {
    const ready = JSON.parse(await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r)));
    await rawOneWay(ready.rawPort, false, 20_000); // warm up both raw paths
    await rawOneWay(ready.rawTlsPort, true, 20_000);
    const raw = await rawOneWay(ready.rawPort, false, messages);
    const rawBatched = await rawOneWay(ready.rawPort, false, messages, true);
    const rawTls = await rawOneWay(ready.rawTlsPort, true, messages);
    const rawSmallBursts = await rawOneWay(ready.rawPort, false, messages, false, SMALL_BURST);
    const rawRtt = await rawRoundTrips(ready.rawPort, false, roundTrips);
    const rawTlsRtt = await rawRoundTrips(ready.rawTlsPort, true, roundTrips);
    const secure = await measureNode(ready.secure, SECRET, messages, roundTrips);
    const plain = await measureNode(ready.plain, undefined, messages, roundTrips);
    const rawBase = 'raw node:net, same framing + CBOR, coalesced';
    emit({ bench: 'remote.send one-way (secret: TLS-PSK)', unit: 'msgs/s', value: Math.round(secure.rate), baseline: rawBase, baselineValue: Math.round(raw), ratio: +(secure.rate / raw).toFixed(2), messages });
    emit({ bench: 'remote.send one-way (no secret: plaintext, loopback)', unit: 'msgs/s', value: Math.round(plain.rate), baseline: rawBase, baselineValue: Math.round(raw), ratio: +(plain.rate / raw).toFixed(2), messages });
    const smallBase = `raw node:net, one frame per message, bursts of ${SMALL_BURST}`;
    emit({ bench: `remote.send one-way in bursts of ${SMALL_BURST} per turn (secret: TLS-PSK)`, unit: 'msgs/s', value: Math.round(secure.rateSmallBursts), baseline: smallBase, baselineValue: Math.round(rawSmallBursts), ratio: +(secure.rateSmallBursts / rawSmallBursts).toFixed(2), messages });
    emit({ bench: `remote.send one-way in bursts of ${SMALL_BURST} per turn (no secret)`, unit: 'msgs/s', value: Math.round(plain.rateSmallBursts), baseline: smallBase, baselineValue: Math.round(rawSmallBursts), ratio: +(plain.rateSmallBursts / rawSmallBursts).toFixed(2), messages });
    emit({ bench: 'raw node:net one-way with batch frames (our framing, no runtime)', unit: 'msgs/s', value: Math.round(rawBatched), baseline: rawBase, baselineValue: Math.round(raw), ratio: +(rawBatched / raw).toFixed(2), messages });
    emit({ bench: 'raw TLS 1.3 PSK one-way (TLS cost alone)', unit: 'msgs/s', value: Math.round(rawTls), baseline: rawBase, baselineValue: Math.round(raw), ratio: +(rawTls / raw).toFixed(2), messages });
    const rawRttBase = 'raw node:net request/reply, same framing';
    emit({ bench: 'remote.deliver round trip (secret: TLS-PSK)', unit: 'µs', ...latency(secure.rtt), baseline: rawRttBase, baselineMedian: latency(rawRtt).median, baselineP99: latency(rawRtt).p99, roundTrips });
    emit({ bench: 'remote.deliver round trip (no secret: plaintext)', unit: 'µs', ...latency(plain.rtt), baseline: rawRttBase, baselineMedian: latency(rawRtt).median, baselineP99: latency(rawRtt).p99, roundTrips });
    emit({ bench: 'raw TLS 1.3 PSK request/reply (TLS cost alone)', unit: 'µs', ...latency(rawTlsRtt), baseline: rawRttBase, baselineMedian: latency(rawRtt).median, baselineP99: latency(rawRtt).p99, roundTrips });
    emit({ bench: 'remote.locate (connected peer, secret)', unit: 'µs', ...latency(secure.locate), baseline: 'raw request/reply median', baselineMedian: latency(rawRtt).median, firstConnectAndAuthMs: +secure.connectMs.toFixed(2), firstConnectPlaintextMs: +plain.connectMs.toFixed(2) });
    return figures;
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--serve') void serve();
  else void run(Number(process.argv[2] ?? 300_000), Number(process.argv[3] ?? 5_000));
}
