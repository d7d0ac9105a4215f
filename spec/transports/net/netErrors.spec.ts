import { expect } from 'chai';
import { AsyncoroError } from '../../../runtime/runtimeErrors.js';
import { Codec } from '../../../transports/net/Codec.js';
import {
  AuthenticationError, DuplicateConnectionError, FileExistsError, FileTooLargeError, FileTransferError, InsecureNetworkError, NetworkStoppedError,
  PathNotAllowedError, PeerLostError, PeerUnreachableError, ProtocolError, ProtocolVersionError, RemoteError, UnknownRequestError,
} from '../../../transports/net/netErrors.js';

describe('netErrors', () => {
  const classes = [PeerLostError, PeerUnreachableError, AuthenticationError, ProtocolVersionError, ProtocolError, InsecureNetworkError,
    UnknownRequestError, NetworkStoppedError, PathNotAllowedError, FileExistsError, FileTooLargeError, FileTransferError];

  it('each has its own stable code and name, and is() recognises it, also rebuilt from its code', () => {
    for (const C of classes) {
      const e = new C('x');
      expect(e, C.name).to.be.instanceOf(AsyncoroError);
      expect([e.code, e.name, C.is(e), C.is({ code: C.CODE }), C.is(new Error('x'))]).to.deep.equal([C.CODE, C.name, true, true, false]);
    }
    expect(new Set(classes.map((C) => C.CODE)).size).to.equal(classes.length);
  });

  it('DuplicateConnectionError is a ProtocolError under the same code', () => {
    const e = new DuplicateConnectionError('both dialled');
    expect(e).to.be.instanceOf(ProtocolError);
    expect([e.code, e.name, ProtocolError.is(e)]).to.deep.equal(['ERR_PROTOCOL', 'DuplicateConnectionError', true]);
  });

  it('RemoteError keeps the remote name, code and message; without a code it is ERR_REMOTE', () => {
    const e = new RemoteError('TypeError', 'ERR_WORKER', 'bad input');
    expect([e.name, e.code, e.remoteMessage, e.message]).to.deep.equal(['TypeError', 'ERR_WORKER', 'bad input', 'TypeError: bad input (remote)']);
    expect(new RemoteError('Error', undefined, 'm').code).to.equal('ERR_REMOTE');
    expect(RemoteError.is(new RemoteError('Error', undefined, 'm'))).to.equal(true);
  });

  it('an error crossing the wire arrives as a RemoteError that the original class still recognises', () => {
    const codec = new Codec();
    for (const C of classes) {
      const back = codec.decode(codec.encode(new C('over there'))) as RemoteError;
      expect(back, C.name).to.be.instanceOf(RemoteError);
      expect([back.code, back.name, back.remoteMessage, C.is(back)]).to.deep.equal([C.CODE, C.name, 'over there', true]);
    }
  });
});
