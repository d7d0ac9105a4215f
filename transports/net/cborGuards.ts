/**
 * What the wire codec forbids of cbor-x: a cbor-x `Tag` (of this copy or of an application's)
 * inside a message, and cbor-x's generic-object tag 27 building anything but data.
 * @module
 */
import type * as CborX from 'cbor-x';
import { InvalidArgumentError } from '../../runtime/runtimeErrors.js';
import { RemoteError } from './netErrors.js';

/**
 * A cbor-x `Tag` of another copy of cbor-x in the process (its ES module build, which an
 * application's `import` gets, is another class than the CommonJS build loaded here), for the
 * guard below: a class named Tag with no methods whose instances hold exactly `value` then `tag`,
 * as cbor-x's constructor sets them. An application's own class named Tag (with methods, other
 * fields, or fields declared in another order) is data like any other.
 */
class AnyTag {
  static [Symbol.hasInstance](v: unknown): boolean {
    if (typeof v !== 'object' || v === null) return false;
    const proto: unknown = Object.getPrototypeOf(v);
    if (typeof proto !== 'object' || proto === null || (proto as { constructor?: { name?: unknown } }).constructor?.name !== 'Tag') return false;
    if (Object.getOwnPropertyNames(proto).length !== 1 || Object.getPrototypeOf(proto) !== Object.prototype) return false;
    const keys = Object.keys(v);
    return keys.length === 2 && keys[0] === 'value' && keys[1] === 'tag';
  }
}

/**
 * Installs the codec's guards on cbor-x (once, when the codec loads it). cbor-x decodes tag 27
 * ("generic object") by looking a constructor up by name: this allows data only (a RemoteError,
 * its message cut to `maxText`). A cbor-x `Tag` can carry any tag number, which the receiver
 * refuses unless the wire accepts it: while `inCodec()` (a Codec is encoding), encoding one is
 * refused at once; elsewhere in the process it encodes as before.
 * @example
 * ```ts
 * import * as cborx from 'cbor-x';
 * installGuards(cborx, () => false, 4096);
 * ```
 */
export function installGuards(x: typeof CborX, inCodec: () => boolean, maxText: number): void {
  for (const Class of [x.Tag, AnyTag]) {
    x.addExtension({
      Class,
      getTag: (t: CborX.Tag) => t.tag,
      encode(t: CborX.Tag, write: (v: unknown) => void) {
        if (inCodec()) throw new InvalidArgumentError(`a cbor-x Tag (${t.tag}) cannot cross the wire: send data, or a reference type of a network layer`);
        write(t.value);
      },
    } as any);
  }
  x.addExtension({
    tag: 27,
    decode: (data: unknown) => {
      const [name, message] = Array.isArray(data) ? data : [];
      return new RemoteError(typeof name === 'string' ? name.slice(0, 200) : 'Error', undefined, typeof message === 'string' ? message.slice(0, maxText) : '');
    },
  } as any);
}
