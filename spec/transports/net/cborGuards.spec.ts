import { expect } from 'chai';
import { Tag } from 'cbor-x';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import { Codec } from '../../../transports/net/Codec.js';
import { RemoteError } from '../../../transports/net/netErrors.js';

describe('cborGuards (what the wire codec forbids of cbor-x)', () => {
  it("refuses a cbor-x Tag of the application's own copy of cbor-x (its ES module build), with the tag in the message", () => {
    const codec = new Codec();
    expect(() => codec.encode({ label: new Tag('seven', 7) })).to.throw(InvalidArgumentError, /Tag \(7\)/);
  });

  it("sends an application's own class named Tag as data: fields declared tag first, or with methods", () => {
    class Tag {
      tag = 7;
      value = 'seven';
    }
    class Labelled {
      constructor(
        readonly value: string,
        readonly tag: number,
      ) {}
      describe(): string {
        return `${this.tag}:${this.value}`;
      }
    }
    Object.defineProperty(Labelled, 'name', { value: 'Tag' });
    const codec = new Codec();
    expect(codec.decode(codec.encode({ a: new Tag(), b: new Labelled('red', 1) }))).to.deep.equal({ a: { tag: 7, value: 'seven' }, b: { value: 'red', tag: 1 } });
  });

  it("decodes cbor-x's generic-object tag 27 as data only (a RemoteError), never a constructor looked up by name", () => {
    const codec = new Codec();
    // tag 27 of ['RegExp', 'a+']: cbor-x would build `new RegExp('a+')`.
    const frame = Buffer.from([0xd8, 0x1b, 0x82, 0x66, ...Buffer.from('RegExp'), 0x62, ...Buffer.from('a+')]);
    const got = codec.decode(frame) as Error;
    expect(got).to.not.be.instanceOf(RegExp);
    expect(got).to.be.instanceOf(RemoteError);
    expect(got.message).to.equal('RegExp: a+ (remote)');
  });
});
