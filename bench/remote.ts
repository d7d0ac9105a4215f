/**
 * Remote messaging between two processes on loopback: one-way messages/s to a remote coroutine,
 * `deliver` round-trip latency and the time to `locate` a remote coroutine, over the protected
 * channel (a secret: every byte in ChaCha20-Poly1305 records keyed from it, RecordLayer.ts) and
 * over plaintext (no secret, loopback).
 * Baselines measured in the same run against the same child: a raw node:net sender/requester with
 * the same framing (4-byte length + CBOR of the same envelope) and coalesced writes; the same raw
 * sender with the peer protocol's batch frames (what our framing costs without the runtime); and the
 * same raw sender and requester over node:tls 1.3 with a pre-shared key: the reference a protected
 * round trip is held to (issue 19: at most 1.2× its p50), and what TLS costs a burst.
 *
 * The raw requester does on the wire what a `deliver` does: the same request envelope (node id,
 * coroutine id and name, message, timeout), its server decodes it and answers `[1, id, true, true]`,
 * which the requester decodes and matches. Round trips are timed in chunks of 100, the four sides
 * taking turns chunk by chunk, so load on a shared machine falls on all of them alike.
 *
 * Run: `node dist/bench/remote.js [messages=300000] [roundTrips=4000] [rounds=5]`; prints one JSON line per
 * figure: the median over the rounds (interleaved, the order rotating), its range, and the range of
 * the per-round ratios to the baseline.
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
/** The one-way figures send bursts of 10,000 messages per event-loop turn, and again bursts of this many. */
const SMALL_BURST = 100;
/** Round trips a side makes before the next side's turn. */
const TRIP_CHUNK = 100;
const SECRET = 'bench';
/** The raw TLS baseline: TLS 1.3, external PSK, AES-128-GCM (what a node with a secret ran before protocol 3). */
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

/** The raw framed server: counts one-way frames, answers 'target' once reached, answers a request as a deliver is answered. */
function rawHandler(socket: net.Socket): void {
  const decoder = new Decoder({ useRecords: false });
  const encoder = new Encoder({ useRecords: false });
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
      } else socket.write(frame(encoder.encode([1, msg[1], true, true]))); // a request: the reply a deliver gets
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

/**
 * A raw request/reply client doing what a `deliver` does on the wire: the same envelope (a node id
 * of 32 characters, the coroutine's id and name, the message, the timeout), one frame per request,
 * the reply (`[1, id, true, true]`) decoded and matched to its request.
 */
async function rawRequester(port: number, overTls: boolean): Promise<{ trips: (n: number, into: number[]) => Promise<void>; close: () => void }> {
  const socket = await connectRaw(port, overTls);
  const encoder = new Encoder({ useRecords: false }), decoder = new Decoder({ useRecords: false });
  const frames = new FrameDecoder();
  const incarnation = 'f'.repeat(32);
  let id = 0, waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    frames.push(chunk);
    for (let f = frames.next(); f !== undefined; f = frames.next()) {
      const reply = decoder.decode(f) as unknown[];
      if (reply[0] !== 1 || reply[1] !== id || reply[3] !== true) throw new Error('unexpected reply');
      waiting?.();
    }
  });
  const trips = async (n: number, into: number[]): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const replied = new Promise<void>((resolve) => (waiting = resolve));
      socket.write(frame(encoder.encode([0, ++id, 'deliver', [incarnation, 1, 'echo', i, 5000]])));
      await replied;
      into.push((performance.now() - t0) * 1000);
    }
  };
  return { trips, close: () => socket.destroy() };
}

const latency = (sorted: number[]): { median: number; p99: number } => ({ median: +percentile(sorted, 0.5).toFixed(1), p99: +percentile(sorted, 0.99).toFixed(1) });

/** A node of ours connected to one of the child's nodes, with 'sink' and 'echo' located there. */
async function connectNode(location: string, secret: string | undefined) {
  const sched = new Scheduler();
  const node = await Network.start(sched, { discover: false, secret });
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
  const roundTrips = async (n: number, into: number[]): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await echo.deliver(i, { timeout: 5000 });
      into.push((performance.now() - t0) * 1000);
    }
  };
  const stop = async (): Promise<void> => {
    await node.stop();
    await sched.terminate();
  };
  return { oneWay, roundTrips, stop, connectMs, locate: locateTimes.sort((a, b) => a - b) };
}

/** The middle of `values` (the mean of the two middle ones for an even count). */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const range = (values: number[], digits: number): [number, number] => [+Math.min(...values).toFixed(digits), +Math.max(...values).toFixed(digits)];

/**
 * Runs the benchmark against a child process: `rounds` rounds, each measuring every side once in
 * an order that rotates each round (so a slow spell of a shared machine hits all sides alike).
 * Each figure is the median over the rounds, with its range and the range of the per-round ratios
 * to the baseline measured in the same round. Returns the figures (also printed as JSON lines).
 */
export async function run(messages = 300_000, roundTrips = 4_000, rounds = 5): Promise<object[]> {
  const child: ChildProcess = spawnProcess(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const figures: object[] = [];
  const emit = (f: object): void => {
    figures.push(f);
    console.log(JSON.stringify(f));
  };
  let secure: Awaited<ReturnType<typeof connectNode>> | undefined, plain: typeof secure;
  let rawTrips: Awaited<ReturnType<typeof rawRequester>> | undefined, rawTlsTrips: typeof rawTrips;
  try {
    const ready = JSON.parse(await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r)));
    secure = await connectNode(ready.secure, SECRET);
    plain = await connectNode(ready.plain, undefined);
    const { rawPort, rawTlsPort } = ready as { rawPort: number; rawTlsPort: number };
    const rates: Record<string, () => Promise<number>> = {
      raw: () => rawOneWay(rawPort, false, messages),
      rawBatched: () => rawOneWay(rawPort, false, messages, true),
      rawTls: () => rawOneWay(rawTlsPort, true, messages),
      secure: () => secure!.oneWay(messages),
      plain: () => plain!.oneWay(messages),
      rawSmall: () => rawOneWay(rawPort, false, messages, false, SMALL_BURST),
      secureSmall: () => secure!.oneWay(messages, SMALL_BURST),
      plainSmall: () => plain!.oneWay(messages, SMALL_BURST),
    };
    rawTrips = await rawRequester(rawPort, false);
    rawTlsTrips = await rawRequester(rawTlsPort, true);
    const trips: Record<string, (n: number, into: number[]) => Promise<void>> = {
      raw: rawTrips.trips,
      rawTls: rawTlsTrips.trips,
      secure: secure.roundTrips,
      plain: plain.roundTrips,
    };
    // Warm-up: every side once at a small size.
    await rawOneWay(rawPort, false, 20_000);
    await rawOneWay(rawTlsPort, true, 20_000);
    await secure.oneWay(20_000);
    await plain.oneWay(20_000);
    for (const side of Object.values(trips)) await side(1000, []);
    const rate: Record<string, number[]> = {}, p50: Record<string, number[]> = {}, p99: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      const rateNames = Object.keys(rates), tripNames = Object.keys(trips);
      for (let k = 0; k < rateNames.length; k++) {
        const name = rateNames[(k + r) % rateNames.length]!;
        (rate[name] ??= []).push(await rates[name]!());
      }
      // Round trips in chunks, the sides taking turns chunk by chunk (the order rotating), so
      // that a slow spell of a shared machine falls on every side alike within the round.
      const times: Record<string, number[]> = {};
      for (let done = 0, c = 0; done < roundTrips; done += TRIP_CHUNK, c++) {
        for (let k = 0; k < tripNames.length; k++) {
          const name = tripNames[(k + c + r) % tripNames.length]!;
          await trips[name]!(Math.min(TRIP_CHUNK, roundTrips - done), (times[name] ??= []));
        }
      }
      for (const name of tripNames) {
        const sorted = times[name]!.sort((a, b) => a - b);
        (p50[name] ??= []).push(percentile(sorted, 0.5));
        (p99[name] ??= []).push(percentile(sorted, 0.99));
      }
    }
    const ratios = (side: number[], base: number[]): number[] => side.map((v, i) => v / base[i]!);
    const rateFigure = (bench: string, side: string, base: string, baseline: string): void => {
      const r = ratios(rate[side]!, rate[base]!);
      emit({ bench, unit: 'msgs/s', value: Math.round(median(rate[side]!)), range: range(rate[side]!, 0), baseline, baselineValue: Math.round(median(rate[base]!)), baselineRange: range(rate[base]!, 0), ratio: +median(r).toFixed(2), ratioRange: range(r, 2), rounds, messages });
    };
    const tripFigure = (bench: string, side: string, base: string, baseline: string): void => {
      const r = ratios(p50[side]!, p50[base]!);
      emit({ bench, unit: 'µs', median: +median(p50[side]!).toFixed(1), medianRange: range(p50[side]!, 1), p99: +median(p99[side]!).toFixed(1), baseline, baselineMedian: +median(p50[base]!).toFixed(1), baselineP99: +median(p99[base]!).toFixed(1), ratio: +median(r).toFixed(2), ratioRange: range(r, 2), rounds, roundTrips });
    };
    const rawBase = 'raw node:net, one frame per message (same CBOR envelope), one write per burst';
    rateFigure('remote.send one-way, bursts of 10,000 per turn (secret)', 'secure', 'raw', rawBase);
    rateFigure('remote.send one-way, bursts of 10,000 per turn (no secret: plaintext, loopback)', 'plain', 'raw', rawBase);
    rateFigure('raw node:net one-way with batch frames (our framing, no runtime)', 'rawBatched', 'raw', rawBase);
    rateFigure('raw TLS 1.3 PSK one-way (node:tls, one frame per message)', 'rawTls', 'raw', rawBase);
    const smallBase = `raw node:net, one frame per message, bursts of ${SMALL_BURST}`;
    rateFigure(`remote.send one-way, bursts of ${SMALL_BURST} per turn (secret)`, 'secureSmall', 'rawSmall', smallBase);
    rateFigure(`remote.send one-way, bursts of ${SMALL_BURST} per turn (no secret)`, 'plainSmall', 'rawSmall', smallBase);
    const tlsRttBase = 'raw TLS 1.3 PSK request/reply (node:tls), same framing';
    tripFigure('remote.deliver round trip (secret)', 'secure', 'rawTls', tlsRttBase);
    tripFigure('remote.deliver round trip (no secret: plaintext)', 'plain', 'raw', 'raw node:net request/reply, same framing');
    tripFigure('raw TLS 1.3 PSK request/reply (node:tls)', 'rawTls', 'raw', 'raw node:net request/reply, same framing');
    emit({ bench: 'remote.locate (connected peer, secret)', unit: 'µs', ...latency(secure.locate), firstConnectAndAuthMs: +secure.connectMs.toFixed(2), firstConnectPlaintextMs: +plain.connectMs.toFixed(2) });
    return figures;
  } finally {
    rawTrips?.close();
    rawTlsTrips?.close();
    await secure?.stop();
    await plain?.stop();
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--serve') void serve();
  else void run(Number(process.argv[2] ?? 300_000), Number(process.argv[3] ?? 4_000), Number(process.argv[4] ?? 5));
}
