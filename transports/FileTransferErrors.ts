/**
 * Typed errors of file transfer. Raised by the receiving node they arrive as a RemoteError
 * with the same `code`, so `PathNotAllowedError.is(err)` works on either side.
 * @example
 * ```ts
 * try { await net.sendFile(peer, 'data.bin', { dir: '../etc' }); }
 * catch (e) { if (PathNotAllowedError.is(e)) log('refused: outside the destination folder'); }
 * ```
 * @module
 */
import { AsyncoroError, coded } from '../runtime/errors.js';


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
 * catch (e) { if (FileTransferError.is(e)) retryLater(); }
 * ```
 */
export class FileTransferError extends coded('ERR_FILE_TRANSFER') {}
