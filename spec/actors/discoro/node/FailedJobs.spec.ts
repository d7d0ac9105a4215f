/**
 * FailedJobs: the coroutine that hears a node's job failures on its event channel, logs each at
 * warn (computation by id and name, job, function, server, error with its stack) and keeps the
 * last ones, bounded.
 */
import { expect } from 'chai';
import { Channel } from '../../../../actors/Channel.js';
import { FailedJobs } from '../../../../actors/discoro/node/FailedJobs.js';
import type { NodeChange } from '../../../../actors/discoro/node/nodeEvents.js';
import type { JobFailure } from '../../../../actors/discoro/protocol.js';
import type { Coro } from '../../../../runtime/Coro.js';
import { Scheduler } from '../../../../runtime/Scheduler.js';
import { Location } from '../../../../transports/net/Location.js';
import { captureLogger, until } from '../../../helpers.js';

const SERVER = '127.0.0.1:9707';
const client = Location.parse('127.0.0.1:4567');

function failure(id: number, message: string): JobFailure {
  const err = new RangeError(message);
  return { id, fn: 'render', args: `[${id}]`, error: { name: err.name, message, stack: err.stack! }, startTime: 1000 + id, endTime: 2000 + id };
}

const failed = (failures: JobFailure[], dropped = 0): NodeChange => ({ kind: 'jobs-failed', id: 'c-1', name: 'frames', client, server: SERVER, failures, dropped });

describe('FailedJobs', () => {
  let sched: Scheduler;
  let events: Channel<NodeChange>;
  let log: ReturnType<typeof captureLogger>;
  beforeEach(() => {
    log = captureLogger('warn');
    sched = new Scheduler({ logger: log.logger });
    events = new Channel<NodeChange>('node-events', { scheduler: sched });
  });
  afterEach(() => sched.terminate());

  const start = async (max: number): Promise<FailedJobs> => {
    const kept = new FailedJobs(max, '127.0.0.1:9706', sched.logger);
    sched.spawnWith({ name: 'failed-jobs' }, (c: Coro<NodeChange, void>) => kept.run(c, events));
    await until(() => events.subscribers === 1, 2000, 'subscribed');
    return kept;
  };

  it('logs each failed job at warn with its computation (id and name), job, function, server and error with the stack', async () => {
    const kept = await start(10);
    await events.send({ kind: 'jobs', id: 'c-1', server: SERVER }); // other events pass by
    await events.send(failed([failure(17, 'bad frame 17')]));
    await until(() => kept.total === 1, 2000, 'recorded');
    const line = log.lines.find((l) => l.msg.includes('failed'))!;
    expect(line).to.deep.include({ level: 40, job: `17@${SERVER}`, fn: 'render', server: SERVER, computation: { id: 'c-1', name: 'frames' } });
    expect(line.msg).to.equal(`discoro: job 17@${SERVER} (render) of computation frames failed: RangeError: bad frame 17`);
    expect(line.err).to.deep.include({ type: 'RemoteError', message: 'RangeError: bad frame 17 (remote)' });
    expect(line.err.stack).to.match(/^RangeError: bad frame 17 \(remote\)\n\s+at /);
    expect(kept.list()[0]).to.deep.include({ seq: 1, id: `17@${SERVER}`, fn: 'render', argsPreview: '[17]', server: SERVER, node: '127.0.0.1:9706', computation: 'c-1', computationName: 'frames', startTime: 1017, endTime: 2017 });
  });

  it('keeps the last `max`, oldest first, numbered in order; failures a server could not list are counted and logged once', async () => {
    const kept = await start(3);
    await events.send(failed([failure(1, 'a'), failure(2, 'b')]));
    await events.send(failed([failure(3, 'c'), failure(4, 'd')], 40));
    await until(() => kept.total === 44, 2000, 'recorded');
    expect(kept.list().map((f) => [f.seq, f.error.message])).to.deep.equal([[2, 'b'], [3, 'c'], [4, 'd']]);
    expect(log.lines.filter((l) => l.dropped === 40)).to.have.length(1);
    await events.send(failed([failure(5, 'e')]));
    await until(() => kept.total === 45, 2000, 'recorded');
    expect(kept.list().map((f) => f.seq)).to.deep.equal([3, 4, 45]);
  });

  it('with max 0 it keeps none and still logs each', async () => {
    const kept = await start(0);
    await events.send(failed([failure(1, 'a'), failure(2, 'b')]));
    await until(() => kept.total === 2, 2000, 'recorded');
    expect(kept.list()).to.deep.equal([]);
    expect(log.lines.filter((l) => l.msg.includes('failed:'))).to.have.length(2);
  });

  it('unsubscribes when its coroutine ends', async () => {
    await start(1);
    const coro = sched.coro(sched.snapshot().coroutines.find((c) => c.name === 'failed-jobs')!.id)!;
    coro.terminate();
    await until(() => events.subscribers === 0, 2000, 'unsubscribed');
  });
});
