/**
 * Typed errors of the actors layer: locks and semaphores, channels, remote invocation and
 * supervision. Each has a stable `code`; raised at another node they arrive as a RemoteError
 * with the same `code`, so the `is()` guards still recognise them.
 * @example
 * ```ts
 * try { lock.release(other); } catch (e) { if (NotOwnerError.is(e)) log('not the holder'); }
 * ```
 * @module
 */
import { AsyncoroError, coded } from '../runtime/runtimeErrors.js';

/** Raised by locks too, and by the runtime's own-coroutine calls: declared with the runtime's errors. */
export { NotOwnerError } from '../runtime/runtimeErrors.js';

/**
 * A BoundedSemaphore was released more times than it was acquired.
 * @example
 * ```ts
 * new BoundedSemaphore(1).release(coro); // throws SemaphoreOverflowError
 * ```
 */
export class SemaphoreOverflowError extends coded('ERR_SEMAPHORE_OVERFLOW') {}

/**
 * The channel is closed; it accepts no more messages or subscribers.
 * @example
 * ```ts
 * ch.close(); ch.send(1); // throws ChannelClosedError
 * ```
 */
export class ChannelClosedError extends coded('ERR_CHANNEL_CLOSED') {}

/**
 * No RCI is registered under that name at the node called (or the reference is from a previous
 * incarnation of that node). Remotely it arrives as a RemoteError with this code.
 * @example
 * ```ts
 * try { await rci.call(1); } catch (e) { if (UnknownRciError.is(e)) log('not registered there'); }
 * ```
 */
export class UnknownRciError extends AsyncoroError {
  static readonly CODE = 'ERR_UNKNOWN_RCI';
  constructor(message: string) {
    super(UnknownRciError.CODE, message);
  }
}

/**
 * The restart intensity was exceeded: the supervisor terminated its children and ended with this.
 * @example
 * ```ts
 * await sup.finish().catch((e) => { if (SupervisorGaveUpError.is(e)) log(e.message); });
 * ```
 */
export class SupervisorGaveUpError extends coded('ERR_SUPERVISOR_GAVE_UP') {}

/**
 * A supervised child did not start: it failed, ended or was terminated before it was ready, or
 * did not call `ready()` within its `readyTimeout`. `cause` is its error (a TimeoutError for the
 * timeout); `childId` names it. `Supervisor.start` and `startChild`/`restartChild` reject with it.
 * @example
 * ```ts
 * await sup.startChild({ id: 'db', start: dbWorker, ready: true }).catch((e) => { if (ChildStartError.is(e)) log(e.childId, e.cause); });
 * ```
 */
export class ChildStartError extends coded('ERR_CHILD_START') {
  /** The id of the child that did not start (empty when rebuilt from the wire). */
  childId = '';
}

/**
 * A supervisor was asked about a child id it does not have (never added, or deleted).
 * @example
 * ```ts
 * await sup.terminateChild('nope'); // rejects with UnknownChildError (ERR_UNKNOWN_CHILD)
 * ```
 */
export class UnknownChildError extends coded('ERR_UNKNOWN_CHILD') {}

/**
 * discoro: a component of a computation could not be loaded on a node's server (a syntax error,
 * an import the node lacks, a shipped function that does not compile). The message names the
 * component and the node; `Computation.schedule()` rejects with it.
 * @example
 * ```ts
 * if (ComponentError.is(err)) log(err.message);
 * ```
 */
export class ComponentError extends coded('ERR_DISCORO_COMPONENT') {}

/**
 * discoro: the server process running a job was lost (killed, crashed, its node stopped) before
 * the job ended. The job's `finish()`, `runResult` and its status report it.
 * @example
 * ```ts
 * if (ServerLostError.is(err)) log(err.message);
 * ```
 */
export class ServerLostError extends coded('ERR_DISCORO_SERVER_LOST') {}

/**
 * discoro: a job named a function that no component of the computation exports.
 * @example
 * ```ts
 * if (UnknownJobFunctionError.is(err)) log(err.message);
 * ```
 */
export class UnknownJobFunctionError extends coded('ERR_DISCORO_UNKNOWN_JOB_FUNCTION') {}

/**
 * discoro: the computation is closed (or not scheduled yet) and takes no more jobs.
 * @example
 * ```ts
 * if (ComputationClosedError.is(err)) log(err.message);
 * ```
 */
export class ComputationClosedError extends coded('ERR_DISCORO_COMPUTATION_CLOSED') {}

/**
 * discoro: a node's or server's setup function did not succeed (it threw, or returned something
 * other than `0`/`undefined`), so that node or server is not used.
 * @example
 * ```ts
 * if (SetupFailedError.is(err)) log(err.message);
 * ```
 */
export class SetupFailedError extends coded('ERR_DISCORO_SETUP_FAILED') {}

/**
 * discoronode: another node (or a crashed one, until `--clean`) holds the working folder's PID file.
 * @example
 * ```ts
 * if (NodeFolderInUseError.is(err)) log(err.message);
 * ```
 */
export class NodeFolderInUseError extends coded('ERR_DISCORO_FOLDER_IN_USE') {}

/**
 * discoronode: the node is outside its daily service window (`--service-start`/`--service-stop`/
 * `--service-end`) and takes no new computation; the message says when it next starts.
 * @example
 * ```ts
 * if (OutOfServiceError.is(err)) log(err.message); // '... outside its service window, next start 08:00'
 * ```
 */
export class OutOfServiceError extends coded('ERR_DISCORO_OUT_OF_SERVICE') {}

/**
 * threads: a function placed on a worker thread could not be loaded there (its module failed to
 * import, or does not export a function under that name). The message names the module, the
 * export and the thread; `spawnOn` rejects with it.
 * @example
 * ```ts
 * if (ThreadFunctionError.is(err)) log(err.message); // "cannot load 'worke' from file:///app/work.js on thread-1.…: no such export"
 * ```
 */
export class ThreadFunctionError extends coded('ERR_THREAD_FUNCTION') {}

/**
 * threads: no thread of the group can take a coroutine now: the group has stopped, or every
 * thread is lost or restarting, or the thread asked for is not running.
 * @example
 * ```ts
 * if (NoThreadError.is(err)) log(err.message);
 * ```
 */
export class NoThreadError extends coded('ERR_NO_THREAD') {}

/**
 * threads: a worker thread did not start (its entry failed, its network could not listen, or it
 * was not ready within `startTimeout`); `cause` says why. `Threads.start` rejects with it after
 * stopping the threads already started.
 * @example
 * ```ts
 * await Threads.start({ count: 4 }).catch((e: unknown) => { if (ThreadStartError.is(e)) log(e.message, e.cause); });
 * ```
 */
export class ThreadStartError extends coded('ERR_THREAD_START') {}

/**
 * discoro: a request about a computation came from a client that does not own it (another client
 * that shares the secret): a discoronode sets up, pulses, closes or holds a computation for the
 * client that reserved it only (or its own operator), and a server runs jobs, terminates them,
 * reports their outcomes and takes files for that client only. Nothing was changed.
 * @example
 * ```ts
 * if (NotComputationOwnerError.is(err)) log(err.message);
 * ```
 */
export class NotComputationOwnerError extends coded('ERR_DISCORO_NOT_OWNER') {}

/**
 * discoronode: a reservation cannot wait for slots: the client already has one waiting at the
 * node, or the node's queue is full (`--max-waiting`); nothing was changed.
 * @example
 * ```ts
 * if (WaitingLimitError.is(err)) log(err.message);
 * ```
 */
export class WaitingLimitError extends coded('ERR_DISCORO_WAITING_LIMIT') {}
