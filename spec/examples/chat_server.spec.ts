import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { killAll, startExample } from './socketExampleProcess.js';

describe('example: chat_server + chat_client', () => {
  const children: ChildProcess[] = [];
  after(() => killAll(children));

  it('a line from one client reaches every other client, not itself', async function () {
    this.timeout(30000);
    const server = startExample('chat_server', [], children);
    const port = (await server.waitFor(/^listening on (\d+)$/))[1];
    const b = startExample('chat_client', [port], children);
    const c = startExample('chat_client', [port], children);
    await server.waitFor(/^clients: 2$/);
    const a = startExample('chat_client', [port, 'hi', 'how are you?'], children);
    await a.waitFor(/^sent 2$/);
    for (const other of [b, c]) {
      await other.waitFor(/^received: hi$/);
      await other.waitFor(/^received: how are you\?$/);
    }
    c.proc.stdin!.write('hello from c\n');
    await a.waitFor(/^received: hello from c$/);
    await b.waitFor(/^received: hello from c$/);
    for (const client of [a, b, c]) client.proc.stdin!.end('quit\n');
    for (const client of [a, b, c]) expect(await client.exited()).to.equal(0);
    await server.waitFor(/^clients: 0$/);
    expect(a.lines.filter((l) => l.startsWith('received: '))).to.deep.equal(['received: hello from c']);
    expect(c.lines.filter((l) => l.startsWith('received: '))).to.deep.equal(['received: hi', 'received: how are you?']);
    server.proc.stdin!.end('quit\n');
    expect(await server.exited()).to.equal(0);
  });
});
