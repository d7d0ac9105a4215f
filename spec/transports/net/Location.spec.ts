import { expect } from 'chai';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Location } from '../../../transports/net/Location.js';

describe('Location', () => {
  it('holds host and port; prints host:port, IPv6 in brackets; JSON is the printed form', () => {
    const v4 = new Location('127.0.0.1', 9705);
    expect([v4.host, v4.port, String(v4)]).to.deep.equal(['127.0.0.1', 9705, '127.0.0.1:9705']);
    expect(JSON.stringify({ at: v4 })).to.equal('{"at":"127.0.0.1:9705"}');
    expect(String(new Location('::1', 80))).to.equal('[::1]:80');
    expect(String(new Location('node-a.example', 0))).to.equal('node-a.example:0');
  });

  it('parse() reads host:port and [ipv6]:port, takes {host, port}, and returns a Location unchanged', () => {
    expect(Location.parse('10.0.0.5:9705').equals(new Location('10.0.0.5', 9705))).to.equal(true);
    const v6 = Location.parse('[fe80::1]:65535');
    expect([v6.host, v6.port]).to.deep.equal(['fe80::1', 65535]);
    expect(Location.parse({ host: 'h', port: 1 }).equals(new Location('h', 1))).to.equal(true);
    const loc = new Location('h', 2);
    expect(Location.parse(loc)).to.equal(loc);
    expect(Location.parse(String(v6)).equals(v6)).to.equal(true);
  });

  it('equals() compares host and port, and only with Locations', () => {
    const a = new Location('127.0.0.1', 1);
    expect(a.equals(new Location('127.0.0.1', 1))).to.equal(true);
    expect(a.equals(new Location('127.0.0.1', 2))).to.equal(false);
    expect(a.equals(new Location('localhost', 1))).to.equal(false);
    expect(a.equals({ host: '127.0.0.1', port: 1 })).to.equal(false);
    expect(a.equals('127.0.0.1:1')).to.equal(false);
  });

  it('refuses bad hosts and ports with InvalidArgumentError', () => {
    for (const [host, port] of [['', 1], ['h'.repeat(256), 1], [5, 1], ['h', -1], ['h', 65536], ['h', 1.5], ['h', '80'], ['h', NaN]] as const) {
      expect(() => new Location(host as string, port as number), `${String(host).slice(0, 10)}:${port}`).to.throw(InvalidArgumentError);
    }
    expect(() => new Location('h'.repeat(255), 1)).to.not.throw();
  });

  it('parse() refuses what is not host:port with InvalidArgumentError', () => {
    for (const bad of ['nope', '127.0.0.1', ':80', 'h:', 'h:port', '::1:80', '[::1]', 'h:99999', 42, null, undefined]) {
      expect(() => Location.parse(bad as never), String(bad)).to.throw(InvalidArgumentError);
    }
  });
});
