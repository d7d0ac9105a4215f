import { expect } from 'chai';
import type { Coro } from '../../runtime/Coro.js';
import { HotSwapRequest, InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { Scheduler } from '../../runtime/Scheduler.js';
import { expectError, turn, until } from '../helpers.js';

describe('Coro: hot swap', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  async function v2(coro: Coro<string, string>, tag: string): Promise<string> {
    const got: string[] = [];
    for (let i = 0; i < 3; i++) got.push(await coro.receive());
    return `${tag}:${got.join(',')}`;
  }

  it('is applied at the next receive when hot-swappable, keeping id, handle and every queued message', async () => {
    let v1Messages = 0;
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      coro.hotSwappable(true);
      for (;;) {
        await coro.receive({ filter: (m) => m === 'for v1' });
        v1Messages++;
      }
    });
    const id = c.id;
    c.send('a');
    c.send('b');
    await turn();
    let handleInV2: unknown;
    c.hotSwap(async (coro: Coro<string, string>, tag: string) => {
      handleInV2 = sched.coro(coro.id) === coro ? coro : 'other';
      return v2(coro, tag);
    }, 'v2');
    c.send('c');
    expect(await c.value()).to.equal('v2:a,b,c');
    expect(c.id).to.equal(id);
    expect(handleInV2).to.equal(c);
    expect(v1Messages).to.equal(0);
  });

  it('is applied at the next sleep', async () => {
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      coro.hotSwappable();
      await coro.sleep(60_000);
      return 'v1 ended';
    });
    await turn();
    c.hotSwap(async () => 'v2 ran');
    expect(await c.value()).to.equal('v2 ran');
    expect(sched.timers.size).to.equal(0);
  });

  it('is postponed while the coroutine is not hot-swappable, then delivered at its next safe point', async () => {
    let phase = 0;
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      const first = await coro.receive(); // not swappable yet
      phase = 1;
      coro.hotSwappable(true);
      await coro.receive();
      return `v1 got ${first}`;
    });
    await turn();
    c.hotSwap(async () => 'swapped');
    c.send('one');
    await until(() => phase === 1);
    expect(await c.value()).to.equal('swapped');
  });

  it('waits while the coroutine is blocked in a deliver (not a safe point)', async () => {
    const full = sched.spawnWith({ mailbox: { capacity: 1 } }, async (coro) => coro.suspend());
    full.send(0);
    let delivered: boolean | undefined;
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      coro.hotSwappable(true);
      delivered = await full.deliver(1, { coro });
      await coro.receive();
      return 'v1';
    });
    await turn();
    c.hotSwap(async () => 'v2');
    for (let i = 0; i < 3; i++) await turn();
    expect(c.isAlive).to.equal(true);
    full.poll();
    expect(await c.value()).to.equal('v2');
    expect(delivered).to.equal(true);
  });

  it('requested during a foreign await, it is applied at the next receive after that await', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let phase = 0;
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      coro.hotSwappable(true);
      await gate; // not a runtime call: the swap cannot interrupt it
      phase = 1;
      await coro.receive();
      return 'v1';
    });
    await turn();
    c.hotSwap(async () => 'v2');
    for (let i = 0; i < 3; i++) await turn();
    expect(phase).to.equal(0);
    release();
    expect(await c.value()).to.equal('v2');
    expect(phase).to.equal(1);
  });

  it('is refused when the function catches the HotSwapRequest', async () => {
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      coro.hotSwappable(true);
      let refused: HotSwapRequest | undefined;
      try {
        await coro.receive();
      } catch (err) {
        if (!HotSwapRequest.is(err)) throw err;
        refused = err;
      }
      return `v1 kept; refused ${refused?.replacement?.name}`;
    });
    await turn();
    c.hotSwap(async function replacement() {
      return 'v2';
    });
    expect(await c.value()).to.equal('v1 kept; refused replacement');
  });

  it('must be re-armed after a swap', async () => {
    let phase = 0;
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      coro.hotSwappable(true);
      await coro.receive();
      return 'v1';
    });
    await turn();
    c.hotSwap(async (coro: Coro<string, string>) => {
      phase = 1;
      const m = await coro.receive(); // v2 did not re-arm: a second swap must wait
      phase = 2;
      coro.hotSwappable(true);
      await coro.receive();
      return `v2 got ${m}`;
    });
    await until(() => phase === 1);
    c.hotSwap(async () => 'v3');
    for (let i = 0; i < 3; i++) await turn();
    expect(phase).to.equal(1);
    c.send('m');
    await until(() => phase === 2);
    expect(await c.value()).to.equal('v3');
  });

  it('hotSwap with a non-function throws InvalidArgumentError and leaves the coroutine as it was', async () => {
    const c = sched.spawn(async (coro: Coro<string, string>) => {
      coro.hotSwappable(true);
      return coro.receive();
    });
    await turn();
    await expectError(() => c.hotSwap('nope' as any), InvalidArgumentError);
    c.send('v1 still');
    expect(await c.value()).to.equal('v1 still');
  });
});
