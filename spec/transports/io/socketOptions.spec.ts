import { expect } from 'chai';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { MAX_FRAME_LIMIT } from '../../../transports/io/FrameDecoder.js';
import { acting, checkBytes, socketSettings } from '../../../transports/io/socketOptions.js';

describe('socketOptions', () => {
  let sched: Scheduler;
  beforeEach(() => {
    sched = new Scheduler();
  });
  afterEach(async () => {
    await sched.terminate();
  });

  it('socketSettings: the defaults (shared, one object), and given values', () => {
    const d = socketSettings(undefined);
    expect(d).to.deep.equal({ defaultTimeout: Infinity, highWaterMark: 64 * 1024, maxMessageSize: 16 * 1024 * 1024, maxLineLength: 64 * 1024, scheduler: undefined });
    expect(socketSettings(undefined)).to.equal(d);
    const s = socketSettings({ defaultTimeout: 100, highWaterMark: 1, maxMessageSize: 0, maxLineLength: 10, scheduler: sched });
    expect(s).to.deep.equal({ defaultTimeout: 100, highWaterMark: 1, maxMessageSize: 0, maxLineLength: 10, scheduler: sched });
    expect(socketSettings(s)).to.equal(s); // resolved settings pass through as they are
    expect(socketSettings({ maxMessageSize: MAX_FRAME_LIMIT }).maxMessageSize).to.equal(MAX_FRAME_LIMIT);
  });

  it('socketSettings: bad options are InvalidArgumentError', () => {
    const bad: unknown[] = [null, 5, 'x', { scheduler: {} }, { defaultTimeout: -1 }, { highWaterMark: 0 }, { highWaterMark: 1.5 },
      { maxMessageSize: -1 }, { maxMessageSize: MAX_FRAME_LIMIT + 1 }, { maxLineLength: 0 }, { maxLineLength: '10' }];
    for (const options of bad) expect(() => socketSettings(options as never), JSON.stringify(options)).to.throw(InvalidArgumentError);
  });

  it('acting: the timeout given, else the socket default; the scheduler of the coroutine, else the socket\'s', async () => {
    const settings = { defaultTimeout: 250, scheduler: sched };
    expect(acting(undefined, settings)).to.deep.include({ sched, owner: undefined, timeout: 250, signal: undefined });
    const signal = new AbortController().signal;
    expect(acting({ timeout: 5, signal }, settings)).to.deep.include({ timeout: 5, signal });
    const other = new Scheduler();
    try {
      let seen: ReturnType<typeof acting> | undefined;
      const c = other.spawn(async (coro) => {
        seen = acting({ coro }, settings);
      });
      await c.finish();
      expect(seen!.sched).to.equal(other);
      expect(seen!.owner).to.equal(c);
    } finally {
      await other.terminate();
    }
    expect(acting(undefined, { defaultTimeout: Infinity, scheduler: undefined }).sched).to.equal(Scheduler.default());
  });

  it('acting: bad options are InvalidArgumentError', () => {
    const settings = { defaultTimeout: Infinity, scheduler: sched };
    for (const options of [{ timeout: -1 }, { timeout: 'x' }, { signal: {} }, { coro: 5 }, { coro: null }, 'opts']) {
      expect(() => acting(options as never, settings), JSON.stringify(options)).to.throw(InvalidArgumentError);
    }
  });

  it('checkBytes: Buffers and Uint8Arrays pass; anything else is InvalidArgumentError naming the argument', () => {
    const b = Buffer.from('x');
    const u = new Uint8Array(2);
    expect(checkBytes(b, 'data')).to.equal(b);
    expect(checkBytes(u, 'data')).to.equal(u);
    for (const bad of ['text', [1, 2], new ArrayBuffer(2), null]) expect(() => checkBytes(bad, 'payload')).to.throw(InvalidArgumentError, /^payload must be a Buffer or Uint8Array/);
  });
});
