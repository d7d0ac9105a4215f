/** ProcessMetrics: this process's memory, CPU, event-loop delay windows, collections and resources. */
import { expect } from 'chai';
import { ProcessMetrics } from '../../runtime/ProcessMetrics.js';
import { prometheusText } from '../../runtime/metrics.js';
import { parsePrometheus } from '../actors/dashboard/fixtures/prometheus.js';
import { until } from '../helpers.js';

describe('ProcessMetrics', () => {
  const made: ProcessMetrics[] = [];
  const metrics = (): ProcessMetrics => {
    const pm = new ProcessMetrics({ resolutionMs: 10 });
    made.push(pm);
    return pm;
  };
  afterEach(() => {
    for (const pm of made.splice(0)) pm.close();
  });

  it('samples memory, CPU time, resources and open file descriptors of this process', () => {
    const s = metrics().sample();
    expect(s.pid).to.equal(process.pid);
    expect(s.rss).to.be.greaterThan(s.heapUsed);
    expect(s.heapTotal).to.be.at.least(s.heapUsed);
    expect(s.cpuUserMs).to.be.greaterThan(0);
    expect(s.openFds).to.be.a('number').and.greaterThan(2);
    expect(Object.values(s.resources).every((n) => Number.isInteger(n) && n > 0)).to.equal(true);
  });

  it('measures the event loop\'s delay over the window closed by rotate(): a blocked loop shows, and the next window forgets it', async () => {
    const pm = metrics();
    await new Promise((r) => setTimeout(r, 50));
    const end = performance.now() + 300;
    while (performance.now() < end); // block the loop for 300 ms
    await new Promise((r) => setTimeout(r, 30));
    pm.rotate();
    const blocked = pm.sample().loopDelay;
    expect(blocked.max).to.be.greaterThan(250);
    expect(blocked.p99).to.be.at.most(blocked.max);
    expect(blocked.windowMs).to.be.greaterThan(300);
    // The window stays what rotate() closed until the next rotate; the next one forgets the block.
    expect(pm.sample().loopDelay).to.deep.equal(blocked);
    await new Promise((r) => setTimeout(r, 100));
    pm.rotate();
    expect(pm.sample().loopDelay.max).to.be.lessThan(blocked.max);
  });

  it('counts garbage collections by kind', async () => {
    const pm = metrics();
    let junk: unknown[] = [];
    await until(() => {
      for (let k = 0; k < 200_000; k++) junk.push({ k });
      junk = [];
      return Object.keys(pm.sample().gc).length > 0;
    }, 5000, 'a collection');
    const gc = pm.sample().gc;
    for (const [kind, v] of Object.entries(gc)) {
      expect(['minor', 'major', 'incremental', 'weakcb', 'other']).to.include(kind);
      expect(v.count).to.be.greaterThan(0);
      expect(v.ms).to.be.at.least(0);
    }
  });

  it('gives Prometheus families in the text format a strict reader accepts', () => {
    const families = parsePrometheus(prometheusText(metrics().metrics()));
    expect(families.get('process_resident_memory_bytes')?.samples[0]?.value).to.be.greaterThan(0);
    expect(families.get('process_cpu_user_seconds_total')?.type).to.equal('counter');
    expect(families.get('nodejs_eventloop_lag_p99_seconds')?.type).to.equal('gauge');
  });

  it('close() stops observing; it may be called again', () => {
    const pm = metrics();
    pm.close();
    pm.close();
    pm.rotate(); // ignored once closed
    expect(pm.sample().rss).to.be.greaterThan(0);
  });
});
