import { expect } from 'chai';
import { AsyncPipe } from '../../../transports/io/AsyncPipe.js';
import { schedulerFixture } from '../../fixtures/index.js';

describe('AsyncPipe: for await over output lines', () => {
  const fx = schedulerFixture();

  it('pipe.lines() yields a program\'s stdout line by line until it exits', async () => {
    const pipe = AsyncPipe.spawn([process.execPath, '-e', "process.stdout.write('a\\nb\\nc')"], { scheduler: fx.sched });
    const got: string[] = [];
    for await (const line of pipe.lines({ timeout: 10_000 })) got.push(line);
    expect(got).to.deep.equal(['a', 'b', 'c']);
    expect((await pipe.wait({ timeout: 10_000 })) !== false).to.equal(true);
  });
});

describe('AsyncPipe.communicate into a child that stops reading early', () => {
  const fx = schedulerFixture();

  it('returns what the child wrote and its status, and says the input was cut short', async () => {
    const input = Buffer.alloc(4 * 1024 * 1024, 0x61); // far more than a pipe buffer holds
    const pipe = AsyncPipe.spawn(['head', '-c', '100'], { scheduler: fx.sched });
    const result = await pipe.communicate(input, { timeout: 20_000 });
    expect(result.stdout.length).to.equal(100);
    expect(result.stdout.toString()).to.equal('a'.repeat(100));
    expect(result.status.code).to.equal(0);
    expect(result.inputCut).to.equal(true);
    const whole = await AsyncPipe.spawn(['cat'], { scheduler: fx.sched }).communicate('all of it', { timeout: 20_000 });
    expect([whole.stdout.toString(), whole.inputCut]).to.deep.equal(['all of it', false]);
  });
});
