import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Coro } from '../../../runtime/Coro.js';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { IpcClosedError } from '../../../transports/io/ioErrors.js';
import { IPC_CLOSED, IpcPort } from '../../../transports/io/IpcPort.js';
import { expectError, isAlive, until } from '../../helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ipcChild.js');

describe('IpcPort', function () {
  this.timeout(20_000);
  let sched: Scheduler;
  const children: ChildProcess[] = [];
  const start = (): ChildProcess => {
    const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    return child;
  };

  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.pid !== undefined && isAlive(c.pid)) process.kill(c.pid, 'SIGKILL');
    await sched.terminate();
  });

  it('recv() pulls the other process\'s messages in order; send() reaches it', async () => {
    const child = start();
    const port = new IpcPort<Record<string, unknown>, Record<string, unknown>>(child, sched);
    expect(await port.recv({ timeout: 10_000 })).to.deep.equal({ ready: child.pid });
    expect(port.send({ echo: [1, 'two'] })).to.equal(true);
    expect(await port.recv({ timeout: 10_000 })).to.deep.equal({ echoed: [1, 'two'] });
    port.send({ burst: 50 });
    for (let k = 0; k < 50; k++) expect(await port.recv({ timeout: 10_000 })).to.deep.equal({ n: k });
    expect(await port.sent({ echo: 'last' }, { timeout: 10_000 })).to.equal(true);
    expect(await port.recv({ timeout: 10_000 })).to.deep.equal({ echoed: 'last' });
    port.close();
  });

  it('recv(): timeout gives the alarm, an abort its reason, and nothing is consumed', async () => {
    const child = start();
    const port = new IpcPort(child, sched);
    await port.recv({ timeout: 10_000 });
    expect(await port.recv({ timeout: 20, alarm: 'quiet' })).to.equal('quiet');
    const ac = new AbortController();
    const pending = port.recv({ signal: ac.signal }).catch((e: Error) => e);
    ac.abort(new Error('enough'));
    expect(await pending).to.have.property('message', 'enough');
    port.send({ echo: 1 });
    expect(await port.recv({ timeout: 10_000 })).to.deep.equal({ echoed: 1 });
    port.close();
  });

  it('the other process exiting ends a pending recv() with IpcClosedError; send() is then false', async () => {
    const child = start();
    const port = new IpcPort(child, sched);
    await port.recv({ timeout: 10_000 });
    const pending = port.recv({ timeout: 10_000 }).catch((e: Error) => e);
    process.kill(child.pid!, 'SIGKILL');
    expect(IpcClosedError.is(await pending)).to.equal(true);
    expect(port.isOpen).to.equal(false);
    expect(port.send({ echo: 1 })).to.equal(false);
    expect(await port.sent({ echo: 1 })).to.equal(false);
    await expectError(() => port.recv(), IpcClosedError);
  });

  it('deliverTo(): each message, then IPC_CLOSED, reaches a mailbox', async () => {
    const child = start();
    const port = new IpcPort(child, sched);
    const seen = await sched.spawn(async (coro: Coro<unknown>) => {
      port.deliverTo(coro);
      const got = [await coro.receive({ timeout: 10_000 })];
      port.send({ burst: 2 });
      got.push(await coro.receive({ timeout: 10_000 }), await coro.receive({ timeout: 10_000 }));
      port.send({ close: true });
      got.push(await coro.receive({ timeout: 10_000 }), await coro.receive({ timeout: 10_000 }));
      return got;
    }).value();
    expect(seen).to.deep.equal([{ ready: child.pid }, { n: 0 }, { n: 1 }, { closing: true }, IPC_CLOSED]);
  });

  it('deliverTo(): what arrived before it is delivered first, and a closed channel still ends with IPC_CLOSED', async () => {
    const child = start();
    const port = new IpcPort(child, sched);
    port.send({ burst: 3 });
    port.send({ close: true });
    await until(() => !port.isOpen, 10_000, 'the child closes the channel');
    const seen = await sched.spawn(async (coro: Coro<unknown>) => {
      port.deliverTo(coro);
      const got: unknown[] = [];
      while (got[got.length - 1] !== IPC_CLOSED) got.push(await coro.receive({ timeout: 10_000 }));
      return got;
    }).value();
    expect(seen).to.deep.equal([{ ready: child.pid }, { n: 0 }, { n: 1 }, { n: 2 }, { closing: true }, IPC_CLOSED]);
  });

  it('bad input: no IPC channel, a second deliverTo, recv() after deliverTo, a bad target', async () => {
    expect(() => new IpcPort({} as never, sched)).to.throw(InvalidArgumentError);
    const child = start();
    const port = new IpcPort(child, sched);
    expect(() => port.deliverTo(null as never)).to.throw(InvalidArgumentError);
    port.deliverTo({ send: () => true });
    expect(() => port.deliverTo({ send: () => true })).to.throw(InvalidArgumentError);
    await expectError(() => port.recv(), InvalidArgumentError);
    await expectError(() => port.recv({ timeout: -1 }), InvalidArgumentError);
    port.close();
    expect(port.isOpen).to.equal(false);
  });
});
