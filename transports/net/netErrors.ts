/**
 * Typed errors of the distribution layer (peers, handshake, remote requests).
 * Each has a stable `code`. An error thrown by a remote handler arrives as a
 * {@link RemoteError} that keeps the original `name` and `code`, so the `is()`
 * guards of the original class still recognise it.
 *
 * @example
 * ```ts
 * try { await remote.deliver(msg, { timeout: 1000 }); }
 * catch (e) {
 *   if (PeerLostError.is(e)) log('peer died');
 *   else if (CoroFinishedError.is(e)) log('the coroutine has ended');
 * }
 * ```
 * @module
 */
import { AsyncoroError, coded } from '../../runtime/runtimeErrors.js';

/** Declares an error class with a fixed code. */

/**
 * The connection to a peer was lost (it died, missed its heartbeats, stopped, or restarted)
 * while a request to it was pending. Every pending request fails at once with this error.
 * @example
 * ```ts
 * await remote.deliver(msg); // throws PeerLostError (ERR_PEER_LOST) if the peer dies meanwhile
 * ```
 */
export class PeerLostError extends coded('ERR_PEER_LOST') {}

/**
 * No connection to the peer could be established (refused, unreachable, handshake timed out).
 * @example
 * ```ts
 * await net.peer(new Location('127.0.0.1', closedPort)); // throws PeerUnreachableError (ERR_PEER_UNREACHABLE)
 * ```
 */
export class PeerUnreachableError extends coded('ERR_PEER_UNREACHABLE') {}

/**
 * The peer's listener answered but refused the connection for now (REJECT busy: its handshake
 * table under pressure, or this address throttled after failed authentications). Its code is
 * ERR_PEER_UNREACHABLE; the network dials again, with backoff, while something waits for the peer.
 * @example
 * ```ts
 * if (err instanceof PeerBusyError) log('refused for now: dialled again while wanted');
 * ```
 */
export class PeerBusyError extends PeerUnreachableError {}

/**
 * The peer did not prove knowledge of the shared secret (or rejected our proof).
 * @example
 * ```ts
 * await net.peer(loc); // throws AuthenticationError (ERR_AUTHENTICATION) when the secrets differ
 * ```
 */
export class AuthenticationError extends coded('ERR_AUTHENTICATION') {}

/**
 * The peer speaks an incompatible protocol version (a different major version).
 * @example
 * ```ts
 * await net.peer(oldNode); // throws ProtocolVersionError (ERR_PROTOCOL_VERSION)
 * ```
 */
export class ProtocolVersionError extends coded('ERR_PROTOCOL_VERSION') {}

/**
 * The peer sent something that is not the protocol: malformed frame, wrong message shape.
 * @example
 * ```ts
 * // logged and the connection dropped; a request that needs an answer fails with PeerLostError
 * ```
 */
export class ProtocolError extends coded('ERR_PROTOCOL') {}

/**
 * Networking was asked to listen beyond loopback without a secret and without `insecure: true`.
 * @example
 * ```ts
 * await Network.start(sched, { host: '0.0.0.0' }); // throws InsecureNetworkError (ERR_INSECURE_NETWORK)
 * ```
 */
export class InsecureNetworkError extends coded('ERR_INSECURE_NETWORK') {}

/**
 * Networking was asked to listen beyond loopback with a secret shorter than 16 bytes: a guess
 * could find it (`newSecret()` makes 32 random bytes).
 * @example
 * ```ts
 * await Network.start(sched, { host: '0.0.0.0', secret: 'hunter2' }); // throws WeakSecretError (ERR_WEAK_SECRET)
 * ```
 */
export class WeakSecretError extends coded('ERR_WEAK_SECRET') {}

/**
 * The peer has no handler for the request type.
 * @example
 * ```ts
 * await net.request(loc, 'no-such-type', {}); // throws a RemoteError with code ERR_UNKNOWN_REQUEST
 * ```
 */
export class UnknownRequestError extends coded('ERR_UNKNOWN_REQUEST') {}

/**
 * The network object has been stopped; it sends and accepts nothing more.
 * @example
 * ```ts
 * await net.stop(); await net.peer(loc); // throws NetworkStoppedError (ERR_NETWORK_STOPPED)
 * ```
 */
export class NetworkStoppedError extends coded('ERR_NETWORK_STOPPED') {}

/**
 * An error raised on another node, rebuilt here. `name` and `code` are the original ones
 * (so `CoroFinishedError.is(err)` works), `remoteMessage` the original message, `remoteStack`
 * the original stack (bounded: 4 KiB) and `stack` shows it; `cause` is the original cause,
 * rebuilt the same way (4 deep at most). Plain data: no class instance comes from the wire.
 * @example
 * ```ts
 * try {
 *   await remote.value();
 * } catch (e) {
 *   if (e instanceof RemoteError) log(e.name, e.code, e.remoteMessage, e.remoteStack, e.cause);
 * }
 * ```
 */
export class RemoteError extends AsyncoroError {
  static readonly CODE = 'ERR_REMOTE';
  readonly remoteMessage: string;
  /** The stack the error had on its node, when it was sent with one. */
  readonly remoteStack: string | undefined;

  constructor(name: string, code: string | undefined, message: string, options?: { stack?: string; cause?: unknown }) {
    super(code ?? RemoteError.CODE, `${name}: ${message} (remote)`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.remoteMessage = message;
    this.remoteStack = options?.stack;
    // Its stack is the remote one (what a crash report prints), under a first line that says it came from elsewhere.
    if (options?.stack !== undefined) {
      const frames = options.stack.indexOf('\n    at ');
      this.stack = `${name}: ${message} (remote)${frames >= 0 ? options.stack.slice(frames) : ''}`;
    }
  }
}

// ---------------------------------------------------------------- file transfer
// Raised by the receiving node, these arrive as a RemoteError with the same `code`, so
// `PathNotAllowedError.is(err)` works on either side.

/**
 * The file name or folder would leave the receiver's destination folder (absolute folder, `..`,
 * a symbolic link pointing outside, a name with '/', '\\' or NUL), or names something that is
 * not a regular file.
 * @example
 * ```ts
 * await net.sendFile(loc, 'x', { dir: '/etc' }); // throws PathNotAllowedError (ERR_PATH_NOT_ALLOWED)
 * ```
 */
export class PathNotAllowedError extends coded('ERR_PATH_NOT_ALLOWED') {}

/**
 * The file exists at the receiver and `overwrite` was not given.
 * @example
 * ```ts
 * await net.sendFile(loc, 'x'); await net.sendFile(loc, 'x-changed-renamed-to-x'); // ERR_FILE_EXISTS
 * ```
 */
export class FileExistsError extends coded('ERR_FILE_EXISTS') {}

/**
 * The file is larger than the receiver's `maxFileSize`; nothing was written.
 * @example
 * ```ts
 * await net.sendFile(loc, 'huge.iso'); // throws FileTooLargeError (ERR_FILE_TOO_LARGE)
 * ```
 */
export class FileTooLargeError extends coded('ERR_FILE_TOO_LARGE') {}

/**
 * The transfer failed otherwise: the receiver could not write, the content did not match its
 * checksum (changed while sent), the transfer was unknown or aborted. The partial file is removed.
 * @example
 * ```ts
 * try {
 *   await net.sendFile(location, 'data.bin');
 * } catch (e) {
 *   if (FileTransferError.is(e)) log('transfer failed, try again later');
 * }
 * ```
 */
export class FileTransferError extends coded('ERR_FILE_TRANSFER') {}

/**
 * The receiver already has its most file transfers in flight from this node (`maxFileTransfers`,
 * 8 by default); nothing was written. Send again once one has ended.
 * @example
 * ```ts
 * try {
 *   await net.sendFile(location, 'data.bin');
 * } catch (e) {
 *   if (FileTransferLimitError.is(e)) log('the receiver is busy with our other files');
 * }
 * ```
 */
export class FileTransferLimitError extends coded('ERR_FILE_TRANSFER_LIMIT') {}

/**
 * A handshake refused because the responder already has a connection with this peer
 * (the one initiated by the lower node id is kept).
 */
export class DuplicateConnectionError extends ProtocolError {}
