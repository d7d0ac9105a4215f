/**
 * EventHub: event streams over a real HTTP server (HttpServer, owned by a coroutine that adds each
 * request as a stream and drops it when the server reports its connection closed); stuck clients
 * are dropped, keep-alives and broadcasts reach every stream.
 */
import { expect } from 'chai';
import { EventHub } from '../../../actors/dashboard/EventHub.js';
import type { Coro } from '../../../runtime/Coro.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { HttpClosed, HttpExchange, HttpServer } from '../../../transports/io/HttpServer.js';
import { turn, until } from '../../helpers.js';
import { SseClient } from './fixtures/sseClient.js';

describe('EventHub', () => {
  let sched: Scheduler;
  let server: HttpServer;
  let hub: EventHub;
  let url: string;
  let dropped = 0;
  const clients: SseClient[] = [];

  beforeEach(async () => {
    sched = new Scheduler();
    dropped = 0;
    hub = new EventHub({ maxBufferedBytes: 64 * 1024 });
    const owner = sched.spawnWith({ name: 'streams' }, async (coro: Coro<unknown, void>) => {
      for (;;) {
        const m = await coro.receive();
        if (m instanceof HttpExchange) hub.add(m.res, { 'x-extra': 'yes' });
        else if (m instanceof HttpClosed && hub.drop(m.res)) dropped++;
      }
    });
    server = await HttpServer.listen({ owner, scheduler: sched });
    url = `http://127.0.0.1:${server.port}/`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    hub.closeAll();
    await server.close({ timeout: 5000 });
    await sched.terminate();
  });

  it('every stream gets every broadcast and keep-alive; send() reaches one; extra headers are sent', async () => {
    const a = await SseClient.open(url);
    const b = await SseClient.open(url);
    clients.push(a, b);
    expect(a.res.headers['x-extra']).to.equal('yes');
    expect(a.res.headers['content-type']).to.equal('text/event-stream; charset=utf-8');
    await until(() => hub.size === 2, 5000, 'two streams');
    hub.broadcast('tick', JSON.stringify({ n: 1 }));
    await Promise.all([a.next('tick', (d) => d.n === 1), b.next('tick', (d) => d.n === 1)]);
    expect(a.events.filter((e) => e.event === 'tick')).to.have.length(1);
    hub.keepAlive();
    await until(() => a.raw.includes(': keep-alive') && b.raw.includes(': keep-alive'), 5000, 'the keep-alive comment');
  });

  it('a multi-line payload is split into data lines and joined back', async () => {
    const a = await SseClient.open(url);
    clients.push(a);
    await until(() => hub.size === 1, 5000, 'one stream');
    hub.broadcast('text', '"line 1\\nline 2"'.replace('\\n', '\n'));
    await until(() => a.events.some((e) => e.event === 'text'), 5000, 'the event');
    expect(a.events.find((e) => e.event === 'text')!.data).to.equal('"line 1\nline 2"');
  });

  it('drops a stream whose client went away, when its owner is told', async () => {
    const a = await SseClient.open(url);
    await until(() => hub.size === 1, 5000, 'one stream');
    a.close();
    await until(() => hub.size === 0, 5000, 'the stream dropped');
    expect(dropped).to.equal(1);
    expect(hub.drop(a.res as never)).to.equal(false);
  });

  it('drops a stream that stops reading once more than maxBufferedBytes are queued', async () => {
    const a = await SseClient.open(url);
    clients.push(a);
    await until(() => hub.size === 1, 5000, 'one stream');
    a.res.pause();
    const chunk = JSON.stringify('x'.repeat(256 * 1024));
    // Bounded: the kernel's socket buffers fill after a few MB at most.
    for (let k = 0; k < 400 && hub.size > 0; k++) {
      hub.broadcast('big', chunk);
      await turn();
    }
    expect(hub.size).to.equal(0);
  });

  it('closeAll() ends every stream', async () => {
    const a = await SseClient.open(url);
    await until(() => hub.size === 1, 5000, 'one stream');
    hub.closeAll();
    await until(() => a.closed, 5000, 'the stream ended');
    expect(hub.size).to.equal(0);
  });
});
