/** EventHub: event streams over a real HTTP server; closed and stuck clients are dropped. */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventHub } from '../../../actors/dashboard/EventHub.js';
import { turn, until } from '../../helpers.js';
import { SseClient } from './fixtures/sseClient.js';

describe('EventHub', () => {
  let server: Server;
  let hub: EventHub;
  let url: string;
  let emptied = 0;
  const clients: SseClient[] = [];

  beforeEach(async () => {
    emptied = 0;
    hub = new EventHub({ maxBufferedBytes: 64 * 1024, heartbeatMs: 20, onEmpty: () => emptied++ });
    server = createServer((_req, res) => hub.add(res, { 'x-extra': 'yes' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    hub.closeAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('every stream gets every broadcast; send() reaches one; extra headers are sent', async () => {
    const a = await SseClient.open(url);
    const b = await SseClient.open(url);
    clients.push(a, b);
    expect(a.res.headers['x-extra']).to.equal('yes');
    await until(() => hub.size === 2, 5000, 'two streams');
    hub.broadcast('tick', JSON.stringify({ n: 1 }));
    await Promise.all([a.next('tick', (d) => d.n === 1), b.next('tick', (d) => d.n === 1)]);
    expect(a.events.filter((e) => e.event === 'tick')).to.have.length(1);
  });

  it('a multi-line payload is split into data lines and joined back', async () => {
    const a = await SseClient.open(url);
    clients.push(a);
    await until(() => hub.size === 1, 5000, 'one stream');
    hub.broadcast('text', '"line 1\\nline 2"'.replace('\\n', '\n'));
    await until(() => a.events.some((e) => e.event === 'text'), 5000, 'the event');
    expect(a.events.find((e) => e.event === 'text')!.data).to.equal('"line 1\nline 2"');
  });

  it('drops a stream whose client went away, and says when none is left', async () => {
    const a = await SseClient.open(url);
    await until(() => hub.size === 1, 5000, 'one stream');
    a.close();
    await until(() => hub.size === 0, 5000, 'the stream dropped');
    expect(emptied).to.equal(1);
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
