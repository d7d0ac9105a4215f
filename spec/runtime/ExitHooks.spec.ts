import { expect } from 'chai';
import { ExitHooks } from '../../runtime/ExitHooks.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { captureLogger } from '../helpers.js';

describe('ExitHooks', () => {
  it('runs the hooks highest priority first, one after the other; a failing one is logged and the rest run', async () => {
    const hooks = new ExitHooks();
    const ran: string[] = [];
    hooks.add(() => void ran.push('low'), -1);
    hooks.add(async () => {
      await new Promise((r) => setImmediate(r));
      ran.push('high');
    }, 10);
    hooks.add(() => {
      throw new Error('hook bug');
    }, 5);
    const drop = hooks.add(() => void ran.push('removed'));
    drop();
    expect(hooks.size).to.equal(3);
    const { logger, lines } = captureLogger('error');
    await hooks.run(logger);
    expect(ran).to.deep.equal(['high', 'low']);
    expect(lines.map((l) => l.msg)).to.deep.equal(['exit hook failed']);
    expect(hooks.size, 'run once').to.equal(0);
  });

  it('refuses what is not a function or a numeric priority', () => {
    const hooks = new ExitHooks();
    expect(() => hooks.add('x' as never)).to.throw(InvalidArgumentError);
    expect(() => hooks.add(() => 1, NaN)).to.throw(InvalidArgumentError);
    expect(hooks.size).to.equal(0);
  });
});
