import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { killAll, startExample } from './socketExampleProcess.js';

describe('example: chat_sock_server + chat_sock_client', () => {
  const children: ChildProcess[] = [];
  after(() => killAll(children));

  it('a client gets its id, the others hear it join, what it says and that it left', async function () {
    this.timeout(30000);
    const server = startExample('chat_sock_server', [], children);
    const port = (await server.waitFor(/^server at 127\.0\.0\.1:(\d+)$/))[1]!;
    const a = startExample('chat_sock_client', [port], children);
    await a.waitFor(/^id: 1$/);
    const b = startExample('chat_sock_client', [port], children);
    await b.waitFor(/^id: 2$/);
    await a.waitFor(/^2 joined$/);
    a.proc.stdin!.write('hello from a\n');
    await b.waitFor(/^1 says: hello from a$/);
    b.proc.stdin!.write('and from b\n');
    await a.waitFor(/^2 says: and from b$/);
    b.proc.stdin!.end('quit\n');
    expect(await b.exited()).to.equal(0);
    await a.waitFor(/^2 left$/);
    a.proc.stdin!.end('quit\n');
    expect(await a.exited()).to.equal(0);
    // Nobody hears itself.
    expect(a.lines).to.deep.equal(['id: 1', '2 joined', '2 says: and from b', '2 left']);
    expect(b.lines).to.deep.equal(['id: 2', '1 says: hello from a']);
    server.proc.stdin!.end('quit\n');
    expect(await server.exited()).to.equal(0);
  });
});
