import { expect } from 'chai';
import { parseClock, ServiceWindow } from '../../../../actors/discoro/node/ServiceWindow.js';
import { InvalidArgumentError } from '../../../../runtime/runtimeErrors.js';

/** ms since the epoch of a local wall-clock time on 6 January 2025. */
const at = (h: number, m = 0, day = 6): number => new Date(2025, 0, day, h, m).getTime();

describe('ServiceWindow', () => {
  it('parseClock: HH:MM from 00:00 to 23:59 (one-digit hours too); anything else is InvalidArgumentError', () => {
    expect([parseClock('00:00'), parseClock('8:05'), parseClock('23:59'), parseClock(' 12:30 ')]).to.deep.equal([0, 485, 1439, 750]);
    for (const bad of ['24:00', '12:60', '1230', '12:3', 'noon', '', 12, undefined]) expect(() => parseClock(bad), String(bad)).to.throw(InvalidArgumentError);
  });

  it('from: none given is no window; start alone, a bad time, stop or end at start, end before stop are InvalidArgumentError', () => {
    expect(ServiceWindow.from({})).to.equal(undefined);
    const bad: Array<[object, RegExp]> = [
      [{ start: '08:00' }, /needs a service stop or a service end/],
      [{ start: '8h', stop: '17:00' }, /service start must be a time HH:MM/],
      [{ start: '08:00', stop: '08:00' }, /would be empty/],
      [{ start: '08:00', stop: '17:00', end: '08:00' }, /service end 08:00 is the service start/],
      [{ start: '08:00', stop: '17:00', end: '16:00' }, /service end 16:00 comes before service stop 17:00/],
      [{ start: '22:00', stop: '06:00', end: '23:00' }, /comes before service stop 06:00/],
    ];
    for (const [times, re] of bad) expect(() => ServiceWindow.from(times), JSON.stringify(times)).to.throw(InvalidArgumentError, re);
  });

  it('phase: open from start, stopped from stop, ended from end until the next start, every day', () => {
    const w = ServiceWindow.from({ start: '08:00', stop: '17:00', end: '18:00' })!;
    const phases = [[7, 59], [8, 0], [16, 59], [17, 0], [17, 59], [18, 0], [23, 59], [0, 0]].map(([h, m]) => w.phase(at(h!, m)));
    expect(phases).to.deep.equal(['ended', 'open', 'open', 'stopped', 'stopped', 'ended', 'ended', 'ended']);
    expect(w.phase(at(9, 0, 7))).to.equal('open');
  });

  it('a window across midnight; without start it opens at 00:00; without stop it stops at end; without end it stays stopped until start', () => {
    const night = ServiceWindow.from({ start: '22:00', stop: '06:00' })!;
    expect([night.phase(at(21, 59)), night.phase(at(22, 0)), night.phase(at(2, 0)), night.phase(at(6, 0)), night.phase(at(12, 0))]).to.deep.equal(['stopped', 'open', 'open', 'stopped', 'stopped']);
    const noStart = ServiceWindow.from({ stop: '12:00' })!;
    expect([noStart.phase(at(0, 0)), noStart.phase(at(11, 59)), noStart.phase(at(12, 0))]).to.deep.equal(['open', 'open', 'stopped']);
    const endOnly = ServiceWindow.from({ start: '08:00', end: '18:00' })!;
    expect([endOnly.phase(at(17, 59)), endOnly.phase(at(18, 0)), endOnly.phase(at(7, 0))]).to.deep.equal(['open', 'ended', 'ended']);
  });

  it('nextChange: the next start, stop or end, today or tomorrow', () => {
    const w = ServiceWindow.from({ start: '08:00', stop: '17:00', end: '18:00' })!;
    expect(w.nextChange(at(7, 30))).to.equal(at(8, 0));
    expect(w.nextChange(at(8, 0))).to.equal(at(17, 0));
    expect(w.nextChange(at(17, 30))).to.equal(at(18, 0));
    expect(w.nextChange(at(19, 0))).to.equal(at(8, 0, 7));
  });

  it('describe: serving until the stop; outside, with the next start (and when served computations end)', () => {
    const w = ServiceWindow.from({ start: '08:00', stop: '17:00', end: '18:00' })!;
    expect(w.describe(at(9))).to.equal('serving until 17:00');
    expect(w.describe(at(17, 30))).to.equal('outside service window, next start 08:00; running computations end at 18:00');
    expect(w.describe(at(6))).to.equal('outside service window, next start 08:00');
  });
});
