import { expect } from 'chai';
import { checkCount, checkFunction, checkName, checkTimeout, checkWaitOptions, describe as describeValue } from '../../runtime/options.js';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';

describe('options', () => {
  it('checkTimeout: undefined and null wait forever; non-negative numbers pass through', () => {
    expect(checkTimeout(undefined)).to.equal(Infinity);
    expect(checkTimeout(null)).to.equal(Infinity);
    expect(checkTimeout(0)).to.equal(0);
    expect(checkTimeout(12.5)).to.equal(12.5);
    expect(checkTimeout(Infinity)).to.equal(Infinity);
  });

  it('checkTimeout: negative, NaN and non-numbers are InvalidArgumentError naming the option', () => {
    for (const bad of [-1, NaN, '10', {}, true, 5n]) {
      expect(() => checkTimeout(bad, 'delay'), String(bad)).to.throw(InvalidArgumentError, /^delay must be/);
    }
  });

  it('checkWaitOptions: returns the timeout; validates the bag and its signal', () => {
    expect(checkWaitOptions(undefined)).to.equal(Infinity);
    expect(checkWaitOptions({})).to.equal(Infinity);
    expect(checkWaitOptions({ timeout: 5, signal: new AbortController().signal })).to.equal(5);
    for (const bad of [null, 5, 'x', () => 1]) expect(() => checkWaitOptions(bad as never), String(bad)).to.throw(InvalidArgumentError, /options must be an object/);
    expect(() => checkWaitOptions({ signal: {} as AbortSignal })).to.throw(InvalidArgumentError, /signal must be an AbortSignal/);
    expect(() => checkWaitOptions({ timeout: -3 })).to.throw(InvalidArgumentError);
  });

  it('checkFunction, checkCount and checkName accept good values and refuse the rest', () => {
    expect(() => checkFunction(() => 1, 'f')).to.not.throw();
    expect(() => checkFunction('f', 'target')).to.throw(InvalidArgumentError, /^target must be a function, got string "f"$/);
    expect(checkCount(0, 'n')).to.equal(0);
    expect(checkCount(3, 'n', 1)).to.equal(3);
    for (const bad of [-1, 1.5, NaN, '2', undefined]) expect(() => checkCount(bad, 'n'), String(bad)).to.throw(InvalidArgumentError);
    expect(() => checkCount(0, 'n', 1)).to.throw(InvalidArgumentError, /n must be an integer >= 1, got number 0/);
    expect(checkName('x', 'name')).to.equal('x');
    for (const bad of ['', 5, null, undefined]) expect(() => checkName(bad, 'name'), String(bad)).to.throw(InvalidArgumentError);
  });

  it('describe() gives a short description, never a whole long string or an object\'s content', () => {
    expect(describeValue(null)).to.equal('null');
    expect(describeValue(undefined)).to.equal('undefined');
    expect(describeValue('a'.repeat(100))).to.equal(`string "${'a'.repeat(40)}…"`);
    expect(describeValue(3)).to.equal('number 3');
    expect(describeValue(2n)).to.equal('bigint 2');
    expect(describeValue(false)).to.equal('boolean false');
    expect(describeValue(() => 1)).to.equal('function');
    expect(describeValue({ secret: 'hunter2' })).to.equal('Object');
    expect(describeValue(new Map())).to.equal('Map');
    expect(describeValue(Object.create(null))).to.equal('object');
    expect(describeValue(Symbol('s'))).to.equal('symbol');
  });
});
