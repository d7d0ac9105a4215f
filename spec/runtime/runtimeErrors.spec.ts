import { expect } from 'chai';
import * as errors from '../../runtime/runtimeErrors.js';
import { AsyncoroError, CoroFinishedError, HotSwapRequest, InvalidArgumentError, TimeoutError } from '../../runtime/runtimeErrors.js';

describe('errors', () => {
  const classes = Object.values(errors).filter(
    (v): v is typeof InvalidArgumentError => typeof v === 'function' && v !== AsyncoroError && v.prototype instanceof AsyncoroError,
  );

  it('every error has a distinct stable code, its class name, and extends AsyncoroError and Error', () => {
    expect(classes.length).to.be.at.least(9);
    const codes = classes.map((C) => C.CODE);
    expect(new Set(codes).size).to.equal(codes.length);
    for (const C of classes) {
      const e = new C('message', { cause: 'why' });
      expect(e).to.be.instanceOf(Error).and.instanceOf(AsyncoroError);
      expect(e.code).to.equal(C.CODE).and.match(/^ERR_[A-Z_]+$/);
      expect(e.name).to.equal(C.name);
      expect(e.message).to.equal('message');
      expect(e.cause).to.equal('why');
    }
  });

  it('is() recognises instances and errors rebuilt from their code, but not other codes', () => {
    const e = new CoroFinishedError('x');
    expect(CoroFinishedError.is(e)).to.equal(true);
    expect(CoroFinishedError.is({ code: 'ERR_CORO_FINISHED', message: 'from the wire' })).to.equal(true);
    expect(CoroFinishedError.is(new TimeoutError('t'))).to.equal(false);
    expect(CoroFinishedError.is(null)).to.equal(false);
    expect(CoroFinishedError.is('ERR_CORO_FINISHED')).to.equal(false);
    expect(AsyncoroError.is(e)).to.equal(true);
    expect(AsyncoroError.is(new Error('plain'))).to.equal(false);
  });

  it('HotSwapRequest carries the replacement function', () => {
    const r = new HotSwapRequest('swap');
    expect(r.replacement).to.equal(undefined);
    const fn = (): void => undefined;
    r.replacement = fn;
    expect(HotSwapRequest.is(r) && r.replacement).to.equal(fn);
  });
});
