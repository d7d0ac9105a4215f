/**
 * What the fairness budget costs and what it buys: a storm of ready calls (1,000 live pairs of
 * coroutines ping-ponging without pause) runs for a while, and meanwhile the process's timers and
 * sockets keep their latency: a 1 ms timer re-armed again and again (how late each fires), and a
 * request/reply over loopback TCP to an echo server in another process (its round trip). Each
 * figure compares the default budget (a turn of the event loop runs continuations for
 * `fairnessMs`, 10 ms) with the rule it replaced (a count: 1,024 continuations a turn), measured
 * in the same run, interleaved; and beside them `fairnessMs: 1`, for a service that wants the
 * loop back sooner. Throughput is the storm's messages per second of CPU time.
 *
 * Run: `node dist/bench/fairness.js`.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Scheduler, type Coro, type SchedulerOptions } from '../index.js';
import { isMain, printFigure, sized, type Size } from './figure.js';

const SELF = fileURLToPath(import.meta.url);

interface Sample {
  /** Storm messages per second of the process's CPU time. */
  msgsPerCpuS: number;
  /** How late the 1 ms timer fired, ms (p50, p99). */
  timerP50: number;
  timerP99: number;
  /** Echo round trip over loopback TCP, ms (p50, p99). */
  echoP50: number;
  echoP99: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** Runs the storm for `ms` on a scheduler with `options`, sampling the timer and the echo meanwhile. */
async function storm(options: SchedulerOptions, ms: number, echoPort: number, pairs = 1000): Promise<Sample> {
  const sched = new Scheduler(options);
  let stop = false, messages = 0;
  for (let p = 0; p < pairs; p++) {
    const pong = sched.spawn(async (coro: Coro<Coro<number>>) => {
      for (;;) (await coro.receive()).send(0);
    });
    sched.spawn(async (coro: Coro<number>) => {
      while (!stop) {
        pong.send(coro);
        await coro.receive();
        messages += 2;
      }
      pong.terminate();
    });
  }
  const lateness: number[] = [];
  const echoes: number[] = [];
  const socket = net.connect(echoPort, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  let sentAt = 0;
  const ping = (): void => {
    sentAt = performance.now();
    socket.write('x');
  };
  socket.on('data', () => {
    echoes.push(performance.now() - sentAt);
    if (!stop) ping();
  });
  const tick = (due: number): void => {
    lateness.push(performance.now() - due);
    if (!stop) setTimeout(tick, 1, performance.now() + 1);
  };
  const cpu = process.cpuUsage();
  const count0 = messages;
  setTimeout(tick, 1, performance.now() + 1);
  ping();
  await new Promise<void>((resolve) => setTimeout(() => ((stop = true), resolve()), ms));
  const used = process.cpuUsage(cpu);
  const done = messages - count0;
  await sched.join({ timeout: 5000 });
  await sched.terminate();
  socket.destroy();
  lateness.sort((a, b) => a - b);
  echoes.sort((a, b) => a - b);
  return {
    msgsPerCpuS: done / ((used.user + used.system) / 1e6),
    timerP50: percentile(lateness, 0.5),
    timerP99: percentile(lateness, 0.99),
    echoP50: percentile(echoes, 0.5),
    echoP99: percentile(echoes, 0.99),
  };
}

/** The echo server, in a child process so that the storm does not delay it. */
async function startEcho(): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(SELF, ['--echo'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(m as number)));
  return { port, child };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Prints, per figure, the default budget against the count it replaced. */
export async function run(size: Size = 'full'): Promise<void> {
  const ms = sized(size, 100, 1000), rounds = sized(size, 1, 3);
  const configs: Record<string, SchedulerOptions> = { time: {}, count: { fairnessBudget: 1024, fairnessMs: Infinity }, short: { fairnessMs: 1 } };
  const { port, child } = await startEcho();
  try {
    const samples: Record<string, Sample[]> = { time: [], count: [], short: [] };
    const names = Object.keys(configs);
    await storm(configs.time!, ms / 4, port); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + r) % names.length]!;
        samples[name]!.push(await storm(configs[name]!, ms, port));
      }
    }
    const fig = (key: keyof Sample) => ({ value: median(samples.time!.map((s) => s[key])), baseline: median(samples.count!.map((s) => s[key])), short: median(samples.short!.map((s) => s[key])) });
    const emit = (metric: string, key: keyof Sample): void => {
      const f = fig(key);
      printFigure({ bench: 'fairness', metric, value: f.value, baseline: f.baseline });
      printFigure({ bench: 'fairness', metric: `${metric}_with_fairness_ms_1`, value: f.short, baseline: f.baseline });
    };
    emit('storm_msgs_per_cpu_s_1000_pairs', 'msgsPerCpuS');
    emit('timer_1ms_late_p50_ms', 'timerP50');
    emit('timer_1ms_late_p99_ms', 'timerP99');
    emit('tcp_echo_during_storm_p50_ms', 'echoP50');
    emit('tcp_echo_during_storm_p99_ms', 'echoP99');
  } finally {
    child.kill();
  }
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === '--echo') {
    const server = net.createServer({ noDelay: true }, (s) => s.on('data', (d) => s.write(d)));
    server.listen(0, '127.0.0.1', () => process.send!((server.address() as net.AddressInfo).port));
    process.on('disconnect', () => process.exit(0));
  } else await run((process.env.BENCH_SIZE as Size) ?? 'full');
}
