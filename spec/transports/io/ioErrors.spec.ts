import { expect } from 'chai';
import { AsyncoroError } from '../../../runtime/runtimeErrors.js';
import { Scheduler } from '../../../runtime/Scheduler.js';
import { AsyncSocket } from '../../../transports/io/AsyncSocket.js';
import {
  ConnectError, ConnectionResetError, EndOfStreamError, FileClosedError, FileIOError, FrameTooLargeError, LineTooLongError, ListenError,
  PoolClosedError, PoolFullError, SocketClosedError, SocketError, SocketIOError, TlsHandshakeError, toSocketError, WorkerCrashedError, WorkerTaskError,
} from '../../../transports/io/ioErrors.js';
import { expectError } from '../../helpers.js';

describe('ioErrors', () => {
  it('the socket errors are SocketErrors with their own codes, keeping the OS code of their cause in errno', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const socketClasses = [ConnectError, ListenError, TlsHandshakeError, SocketClosedError, ConnectionResetError, EndOfStreamError, LineTooLongError, SocketIOError];
    for (const C of socketClasses) {
      const e = new C('boom', { cause });
      expect(e, C.name).to.be.instanceOf(SocketError).and.instanceOf(AsyncoroError);
      expect([e.code, e.name, e.errno, e.cause]).to.deep.equal([C.CODE, C.name, 'ECONNREFUSED', cause]);
      expect(C.is(e)).to.equal(true);
    }
    expect(new SocketClosedError('no cause').errno).to.equal(undefined);
    expect(new SocketIOError('odd cause', { cause: { code: 42 } }).errno).to.equal(undefined);
    expect(new Set(socketClasses.map((C) => C.CODE)).size).to.equal(socketClasses.length);
  });

  it('toSocketError: resets become ConnectionResetError, other errors SocketIOError; a SocketError is kept', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']) {
      const e = toSocketError(Object.assign(new Error(code), { code }));
      expect(e, code).to.be.instanceOf(ConnectionResetError);
      expect(e.errno).to.equal(code);
    }
    const other = toSocketError(Object.assign(new Error('no route'), { code: 'EHOSTUNREACH' }));
    expect(other).to.be.instanceOf(SocketIOError);
    expect([other.errno, other.message]).to.deep.equal(['EHOSTUNREACH', 'socket error: no route']);
    expect(toSocketError('a string')).to.be.instanceOf(SocketIOError);
    const kept = new SocketClosedError('closed');
    expect(toSocketError(kept)).to.equal(kept);
  });

  it('FrameTooLargeError carries the length and the limit', () => {
    const e = new FrameTooLargeError(5000, 4096);
    expect([e.code, e.length, e.limit, e.message]).to.deep.equal(['ERR_FRAME_TOO_LARGE', 5000, 4096, 'frame of 5000 bytes exceeds the limit of 4096 bytes']);
    expect(FrameTooLargeError.is({ code: 'ERR_FRAME_TOO_LARGE' })).to.equal(true);
  });

  it('the file, pipe and worker pool errors have their codes; WorkerTaskError carries the worker\'s name and stack', () => {
    for (const C of [FileClosedError, FileIOError, WorkerCrashedError, PoolClosedError, PoolFullError]) {
      const e = new C('x');
      expect([e.code, e.name, C.is(e), e instanceof SocketError]).to.deep.equal([C.CODE, C.name, true, false]);
    }
    const task = new WorkerTaskError('failed in the worker');
    expect([task.code, task.remoteName, task.remoteStack]).to.deep.equal(['ERR_WORKER_TASK', 'Error', undefined]);
  });

  it('a refused connection is a ConnectError whose errno is the OS code', async () => {
    const sched = new Scheduler();
    try {
      const e = await expectError(() => AsyncSocket.connect({ host: '127.0.0.1', port: 1, scheduler: sched, timeout: 5000 }), ConnectError);
      expect(e.errno).to.equal('ECONNREFUSED');
    } finally {
      await sched.terminate();
    }
  });
});
