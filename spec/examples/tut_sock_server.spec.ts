import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { killAll, startExample } from './socketExampleProcess.js';

describe('example: tut_sock_server + tut_sock_client', () => {
  const children: ChildProcess[] = [];
  after(() => killAll(children));

  it('the server prints each of the N complete messages, then n = N on quit', async function () {
    this.timeout(30000);
    const server = startExample('tut_sock_server', [], children);
    const port = (await server.waitFor(/^listening on (\d+)$/))[1];
    const client = startExample('tut_sock_client', [port, '15'], children);
    await client.waitFor(/^sent 15 messages$/);
    expect(await client.exited()).to.equal(0);
    for (let i = 0; i < 15; i++) await server.waitFor(new RegExp(`^received: ${i}: -{100,300}/$`));
    server.proc.stdin!.end('quit\n');
    await server.waitFor(/^n = 15$/);
    expect(server.lines.filter((l) => l.startsWith('received: '))).to.have.length(15);
  });
});
