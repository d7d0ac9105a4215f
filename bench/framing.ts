/**
 * Framed-message throughput over one loopback connection: AsyncSocket
 * `sendMsg`/`recvMsg` between two coroutines, against raw node:net with the
 * same framing (runtime/FrameCodec: `encodeFrame` + `FrameDecoder`, writes
 * honouring 'drain'), for 64-byte and 64-KiB messages.
 *
 * Run: `node dist/bench/framing.js`.
 * @module
 */
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { AsyncServer, AsyncSocket, Scheduler } from '../index.js';
import { encodeFrame, FrameDecoder } from '../extend.js';

async function asyncoroRun(size: number, count: number): Promise<number> {
  const sched = new Scheduler();
  const server = await AsyncServer.listen({ port: 0, scheduler: sched });
  const [client, conn] = await Promise.all([AsyncSocket.connect({ port: server.port, scheduler: sched }), server.accept()]);
  const payload = Buffer.alloc(size, 0x62);
  const start = process.hrtime.bigint();
  sched.spawn(async (coro) => {
    for (let i = 0; i < count; i++) await client.sendMsg(payload, { coro });
  });
  const receiver = sched.spawn(async (coro) => {
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += (await conn.recvMsg({ coro, timeout: 30000 }))!.length;
    return bytes;
  });
  const bytes = await receiver.value();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes !== size * count) throw new Error(`received ${bytes} bytes, expected ${size * count}`);
  client.close();
  conn.close();
  server.close();
  await sched.terminate();
  return count / seconds;
}

async function rawRun(size: number, count: number): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  client.setNoDelay(true);
  const conn = await accepted;
  const payload = Buffer.alloc(size, 0x62);
  const start = process.hrtime.bigint();
  const received = new Promise<number>((resolve) => {
    const decoder = new FrameDecoder();
    let n = 0;
    let bytes = 0;
    conn.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (let f = decoder.next(); f !== undefined; f = decoder.next()) {
        bytes += f.length;
        if (++n === count) resolve(bytes);
      }
    });
  });
  for (let i = 0; i < count; i++) {
    if (!client.write(encodeFrame(payload))) await new Promise((r) => client.once('drain', r));
  }
  const bytes = await received;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes !== size * count) throw new Error(`received ${bytes} bytes, expected ${size * count}`);
  client.destroy();
  conn.destroy();
  server.close();
  return count / seconds;
}

function figure(metric: string, value: number, baseline: number): void {
  const round = (x: number): number => Math.round(x * 100) / 100;
  console.log(JSON.stringify({ bench: 'framing', metric, value: round(value), baseline: round(baseline), ratio: round(value / baseline) }));
}

/** Runs the benchmark and prints one JSON line per figure. */
export async function run(): Promise<void> {
  for (const [size, count, label] of [[64, 200000, '64B'], [65536, 5000, '64KiB']] as const) {
    await rawRun(size, Math.min(count, 1000)); // warm up both paths
    await asyncoroRun(size, Math.min(count, 1000));
    const baseline = await rawRun(size, count);
    const value = await asyncoroRun(size, count);
    figure(`messages_per_s_${label}`, value, baseline);
    figure(`MiB_per_s_${label}`, (value * size) / 1048576, (baseline * size) / 1048576);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
