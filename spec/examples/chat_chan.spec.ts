import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, startExample } from './socketExampleProcess.js';

describe('examples: chat_chan_server + two chat_chan_client processes', function () {
  this.timeout(40_000);
  const children: ChildProcess[] = [];
  afterEach(() => killAll(children));

  it('each line reaches every client decorated, ALL-CAPS lines are dropped, joins and departures are announced', async () => {
    const server = startExample('chat_chan_server', ['--clients', '2', '--secret', 'chat'], children);
    const [, location] = await server.waitFor(/^server at (\S+)$/);
    const a = startExample('chat_chan_client', [location, '--secret', 'chat', '--', 'hello', 'ALL CAPS IS DROPPED'], children);
    await a.waitFor(/^joined as \d$/);
    const b = startExample('chat_chan_client', [location, '--secret', 'chat', '--', 'hi there'], children);
    expect(await a.exited(30_000)).to.equal(0);
    expect(await b.exited(30_000)).to.equal(0);
    expect(await server.exited(10_000)).to.equal(0);
    const idA = /^joined as (\d)$/.exec(a.lines.find((l) => l.startsWith('joined as'))!)![1];
    const idB = /^joined as (\d)$/.exec(b.lines.find((l) => l.startsWith('joined as'))!)![1];
    for (const client of [a, b]) {
      expect(client.lines).to.include(`${idA} says: hello`);
      expect(client.lines).to.include(`${idB} says: hi there`);
      expect(client.lines).to.include(`(${idA}) left :-(`);
      expect(client.lines).to.include(`(${idB}) left :-(`);
      expect(client.lines.some((l) => l.includes('ALL CAPS'))).to.equal(false);
      expect(client.lines[client.lines.length - 1]).to.equal('chat closed');
    }
    expect(a.lines).to.include(`(${idB}) joined :-)`);
  });
});
