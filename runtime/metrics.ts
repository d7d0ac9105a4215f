/**
 * Metrics of a scheduler as data and in the Prometheus text exposition format (version 0.0.4):
 * messages sent, received, dropped and rejected, dead letters, the mailbox-depth high-water mark,
 * coroutines alive and spawned, and per peer the bytes and frames each way and the reconnects.
 * Other layers (discoro's jobs by state) append their own samples.
 * @example
 * ```ts
 * const text = prometheusText(schedulerMetrics(sched.snapshot()));
 * ```
 * @module
 */
import type { SchedulerSnapshot } from './snapshotTypes.js';

/**
 * One metric family: a name, its type and help text, and its samples (labels → value).
 * @example
 * ```ts
 * const m: Metric = { name: 'asyncoro_coroutines_alive', type: 'gauge', help: 'Coroutines alive.', samples: [{ labels: {}, value: 3 }] };
 * ```
 */
export interface Metric {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

function single(name: string, type: Metric['type'], help: string, value: number): Metric {
  return { name, type, help, samples: [{ labels: {}, value }] };
}

/**
 * The metrics of a scheduler snapshot.
 * @example
 * ```ts
 * const alive = schedulerMetrics(sched.snapshot()).find((m) => m.name === 'asyncoro_coroutines_alive');
 * ```
 */
export function schedulerMetrics(snapshot: SchedulerSnapshot): Metric[] {
  const c = snapshot.counters;
  const perPeer = (name: string, help: string, pick: (p: SchedulerSnapshot['peers'][number]) => number): Metric => ({
    name,
    type: 'counter',
    help,
    samples: snapshot.peers.map((p) => ({ labels: { peer: p.location, name: p.name }, value: pick(p) })),
  });
  return [
    single('asyncoro_messages_sent_total', 'counter', 'Messages accepted by send.', c.sent),
    single('asyncoro_messages_received_total', 'counter', 'Messages taken by receive or poll.', c.received),
    single('asyncoro_messages_dropped_total', 'counter', 'Messages discarded by a bounded mailbox (drop-oldest, drop-newest).', c.dropped),
    single('asyncoro_messages_rejected_total', 'counter', 'Sends refused by a full mailbox with the reject policy.', c.rejected),
    single('asyncoro_dead_letters_total', 'counter', 'Messages to coroutines that had ended.', c.deadLetters),
    single('asyncoro_mailbox_depth_high_water', 'gauge', 'The largest mailbox depth seen.', c.mailboxHighWater),
    single('asyncoro_coroutines_alive', 'gauge', 'Coroutines alive.', c.live),
    single('asyncoro_coroutines_spawned_total', 'counter', 'Coroutines created.', c.spawned),
    perPeer('asyncoro_peer_bytes_in_total', 'Bytes received from each peer.', (p) => p.bytesIn),
    perPeer('asyncoro_peer_bytes_out_total', 'Bytes sent to each peer.', (p) => p.bytesOut),
    perPeer('asyncoro_peer_frames_in_total', 'Frames received from each peer.', (p) => p.framesIn),
    perPeer('asyncoro_peer_frames_out_total', 'Frames sent to each peer.', (p) => p.framesOut),
    perPeer('asyncoro_peer_reconnects_total', 'Connections to each peer after the first.', (p) => p.reconnects),
  ];
}

/** Escapes a label value: backslash, double quote and newline. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The metrics in the Prometheus text format, one `# HELP`, one `# TYPE` and the samples per family.
 * @example
 * ```ts
 * res.setHeader('content-type', 'text/plain; version=0.0.4'); res.end(prometheusText(metrics));
 * ```
 */
export function prometheusText(metrics: readonly Metric[]): string {
  const lines: string[] = [];
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of m.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
      const value = Number.isFinite(s.value) ? String(s.value) : s.value > 0 ? '+Inf' : s.value < 0 ? '-Inf' : 'NaN';
      lines.push(`${m.name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
