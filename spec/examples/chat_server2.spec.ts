import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { killAll, startExample } from './socketExampleProcess.js';

describe('example: chat_server2 + chat_client', () => {
  const children: ChildProcess[] = [];
  after(() => killAll(children));

  it('the broadcasting coroutine relays a line from one client to every other one, named after its sender', async function () {
    this.timeout(30000);
    const server = startExample('chat_server2', [], children);
    const port = (await server.waitFor(/^server at 127\.0\.0\.1:(\d+)$/))[1]!;
    const b = startExample('chat_client', [port], children);
    const c = startExample('chat_client', [port], children);
    await server.waitFor(/^clients: 2$/);
    const a = startExample('chat_client', [port, 'hi', 'how are you?'], children);
    await a.waitFor(/^sent 2$/);
    for (const other of [b, c]) {
      await other.waitFor(/^received: 3 says: hi$/);
      await other.waitFor(/^received: 3 says: how are you\?$/);
    }
    c.proc.stdin!.write('hello from c\n');
    await a.waitFor(/^received: \d says: hello from c$/);
    await b.waitFor(/^received: \d says: hello from c$/);
    for (const client of [a, b, c]) client.proc.stdin!.end('quit\n');
    for (const client of [a, b, c]) expect(await client.exited()).to.equal(0);
    await server.waitFor(/^clients: 0$/);
    expect(a.lines.filter((l) => l.startsWith('received: '))).to.have.length(1);
    expect(c.lines.filter((l) => l.startsWith('received: '))).to.deep.equal(['received: 3 says: hi', 'received: 3 says: how are you?']);
    server.proc.stdin!.end('quit\n');
    expect(await server.exited()).to.equal(0);
  });
});
