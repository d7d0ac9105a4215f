import { expect } from 'chai';
import { prometheusText, schedulerMetrics, type Metric } from '../../runtime/metrics.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import type { SchedulerSnapshot } from '../../runtime/snapshotTypes.js';

/** Parses the text exposition format back: family types and helps, and sample values by name+labels. */
function parse(text: string): { types: Map<string, string>; helps: Map<string, string>; samples: Map<string, number> } {
  const types = new Map<string, string>(), helps = new Map<string, string>(), samples = new Map<string, number>();
  expect(text.endsWith('\n')).to.equal(true);
  for (const line of text.trimEnd().split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^# HELP (\w+) (.*)$/))) helps.set(m[1]!, m[2]!);
    else if ((m = line.match(/^# TYPE (\w+) (counter|gauge)$/))) types.set(m[1]!, m[2]!);
    else if ((m = line.match(/^(\w+)(\{(?:\w+="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/))) samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
    else expect.fail(`not a valid exposition line: ${line}`);
  }
  return { types, helps, samples };
}

describe('metrics', () => {
  it('a scheduler exposes its counters in the Prometheus text format, which parses back', async () => {
    const sched = new Scheduler();
    try {
      const c = sched.spawn(async (coro) => coro.receive());
      c.send('one');
      await c.finish();
      const { types, helps, samples } = parse(prometheusText(schedulerMetrics(sched.snapshot())));
      expect(types.get('asyncoro_messages_sent_total')).to.equal('counter');
      expect(types.get('asyncoro_coroutines_alive')).to.equal('gauge');
      expect(helps.get('asyncoro_dead_letters_total')).to.be.a('string');
      expect(samples.get('asyncoro_messages_sent_total')).to.equal(1);
      expect(samples.get('asyncoro_messages_received_total')).to.equal(1);
      expect(samples.get('asyncoro_coroutines_spawned_total')).to.equal(1);
      expect(samples.get('asyncoro_coroutines_alive')).to.equal(0);
    } finally {
      await sched.terminate();
    }
  });

  it('labels are escaped and per-peer families carry one sample per peer', () => {
    const snapshot = {
      at: 0, coroutines: [], locks: [], channels: [],
      peers: [{ location: '127.0.0.1:1', name: 'odd "name"\\\n', incarnation: 'x', state: 'online', lastHeardMs: 1, roundTripMs: 1, bytesIn: 10, bytesOut: 20, framesIn: 1, framesOut: 2, reconnects: 0 }],
      counters: { spawned: 0, live: 0, daemons: 0, sent: 0, received: 0, dropped: 0, rejected: 0, deadLetters: 0, mailboxHighWater: 0 },
    } satisfies SchedulerSnapshot;
    const text = prometheusText(schedulerMetrics(snapshot));
    const { samples } = parse(text);
    expect(samples.get('asyncoro_peer_bytes_out_total{peer="127.0.0.1:1",name="odd \\"name\\"\\\\\\n"}')).to.equal(20);
    const extra: Metric = { name: 'x_total', type: 'counter', help: 'h', samples: [{ labels: {}, value: Infinity }] };
    expect(prometheusText([extra])).to.equal('# HELP x_total h\n# TYPE x_total counter\nx_total +Inf\n');
  });
});
