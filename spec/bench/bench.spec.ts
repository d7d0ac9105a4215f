/**
 * Keeps the benchmarks from rotting: each core benchmark runs at a tiny size
 * and must print well-formed figures. No speed is asserted here.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const runJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/run.js');

describe('bench (smoke size)', () => {
  it('every core benchmark prints JSON figures with a value, and a baseline where one is measured', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [runJs], { env: { ...process.env, BENCH_SIZE: 'smoke' }, timeout: 60_000 });
    const figures = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const benches = new Set(figures.map((f) => f.bench));
    expect([...benches]).to.have.members(['messaging', 'spawn', 'locks', 'channel', 'ask', 'savina', 'pairs', 'fairness']);
    for (const f of figures) {
      expect(f.metric, JSON.stringify(f)).to.be.a('string');
      expect(f.value, JSON.stringify(f)).to.be.a('number').and.satisfy(Number.isFinite);
      if ('baseline' in f) expect(f.ratio, JSON.stringify(f)).to.be.a('number');
    }
    const metrics = figures.map((f) => f.metric);
    expect(metrics).to.include.members([
      'one_way_msgs_per_s', 'ping_pong_round_trips_per_s_with_timeouts', 'spawn_receive_end_us_each',
      'heap_bytes_per_idle_coroutine', 'idle_coroutines_alive', 'uncontended_acquire_release_per_s',
      'contended_handoffs_per_s_1000_coroutines', 'fanout_1000_subscribers_deliveries_per_s',
      'one_way_await_each_send_msgs_per_s', 'ping_pong_round_trips_per_s', 'million_idle_create_s',
      'ping_pong_ms', 'counting_ms', 'thread_ring_ms', 'chameneos_ms', 'big_ms', 'fork_join_throughput_ms', 'fork_join_creation_ms',
      'ns_per_message_1k_pairs', 'cpu_ns_per_message_1k_pairs', 'young_gcs_per_million_messages_1k_pairs',
      'storm_msgs_per_cpu_s_1000_pairs', 'timer_1ms_late_p50_ms', 'tcp_echo_during_storm_p99_ms',
      'local_ask_round_trips_per_s', 'pool_of_4_asks_per_s_256_in_flight', 'remote_ask_round_trips_per_s_secret',
    ]);
    // Every Savina figure compares with its hand-rolled twin (the runner checks they computed the same).
    for (const f of figures.filter((x) => x.bench === 'savina')) expect(f.baseline, JSON.stringify(f)).to.be.a('number');
  });
});
