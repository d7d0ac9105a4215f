/** clusterData: what the cluster view is sent (arguments as a bounded preview) and the cluster's metrics. */
import { expect } from 'chai';
import { argsPreview, clusterData, clusterMetrics } from '../../../actors/dashboard/clusterData.js';
import { prometheusText } from '../../../runtime/metrics.js';
import { FakeCluster } from './fixtures/FakeCluster.js';
import { parsePrometheus } from './fixtures/prometheus.js';

describe('clusterData', () => {
  it('argsPreview: JSON of the arguments; bigints, functions, symbols, buffers and cycles do not throw', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    function render(): void {}
    expect(argsPreview([1, 'a', { big: 10n }])).to.equal('[1,"a",{"big":"10n"}]');
    expect(argsPreview([render, Symbol('s'), Buffer.from('abc')])).to.equal('["[function render]","Symbol(s)","[Buffer 3 bytes]"]');
    expect(argsPreview([cyclic])).to.equal('[{"a":1,"self":"[circular]"}]');
    expect(argsPreview([])).to.equal('[]');
    const throwing = { toJSON(): never { throw new Error('no json'); } };
    expect(argsPreview([throwing])).to.equal('[arguments not shown: no json]');
  });

  it('argsPreview cuts long arguments at 200 characters', () => {
    const text = argsPreview(['x'.repeat(1000)]);
    expect(text).to.have.length(200);
    expect(text.endsWith('…')).to.equal(true);
  });

  it('clusterData copies what the source reports, without the raw arguments', () => {
    const c = new FakeCluster();
    c.addNode('n', '10.0.0.1:1');
    c.addServer('10.0.0.1:1', '10.0.0.1:2', 7);
    const job = c.startJob('f', [{ secret: 'shown only as a preview' }], '10.0.0.1:2');
    const data = clusterData(c, [1, 2]);
    expect(data.jobs).to.deep.equal([{ id: job.id, fn: 'f', server: '10.0.0.1:2', node: '10.0.0.1:1', computation: 'c-1', state: 'running', startTime: job.startTime, endTime: null, argsPreview: '[{"secret":"shown only as a preview"}]' }]);
    expect(data.jobsPerSecond).to.deep.equal([1, 2]);
    expect(data.counts).to.deep.equal({ submitted: 1, running: 1, done: 0, failed: 0 });
    // A copy: later changes of the source do not show through.
    c.endJob(job.id, 'done');
    expect(data.counts.running).to.equal(1);
  });

  it('clusterMetrics: jobs by state, nodes and servers by state, in valid Prometheus text', () => {
    const c = new FakeCluster();
    c.addNode('n1', 'a:1');
    c.addNode('n2', 'b:1').state = 'disconnected';
    c.addServer('a:1', 'a:2', 1);
    const j = c.startJob('f', [], 'a:2');
    c.startJob('f', [], 'a:2');
    c.endJob(j.id, 'abandoned');
    const families = parsePrometheus(prometheusText(clusterMetrics(clusterData(c, []))));
    expect(families.get('asyncoro_cluster_jobs_total')!.samples.map((s) => [s.labels.state, s.value])).to.deep.equal([['submitted', 2], ['done', 0], ['failed', 1]]);
    expect(families.get('asyncoro_cluster_jobs_running')!.samples[0]!.value).to.equal(1);
    expect(families.get('asyncoro_cluster_nodes')!.samples.map((s) => [s.labels.state, s.value])).to.deep.equal([['disconnected', 1], ['initialized', 1]]);
  });
});
