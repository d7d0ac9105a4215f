/**
 * asyncoro: Erlang-style coroutines with mailboxes, actor-owned locks,
 * channels, async I/O and distribution for Node.js.
 * @module
 */
// ---- runtime
export * from './runtime/errors.js';
export { Coro, type CoroFunction, type SpawnOptions, type ReceiveOptions, type SuspendOptions, type MonitorTarget } from './runtime/Coro.js';
export { Scheduler, type SchedulerOptions, type SchedulerStats } from './runtime/Scheduler.js';
export { spawn, spawnWith } from './runtime/spawn.js';
export { MonitorStatus, type ExitReason } from './runtime/MonitorStatus.js';
export { MessageCategories } from './runtime/MessageCategories.js';
export type { MailboxOptions, OverflowPolicy } from './runtime/Mailbox.js';
export type { WaitOptions, ActingWaitOptions } from './runtime/options.js';
export { silentLogger, type Logger } from './runtime/logging.js';
export { encodeFrame, FrameDecoder, FrameTooLargeError } from './runtime/FrameCodec.js';
// ---- actors: synchronisation
export { Lock } from './actors/Lock.js';
export { RLock } from './actors/RLock.js';
export { Condition } from './actors/Condition.js';
export { Event } from './actors/Event.js';
export { Semaphore, BoundedSemaphore } from './actors/Semaphore.js';
export { LockGuard } from './actors/LockGuard.js';
// ---- actors: channels
export { Channel, type ChannelSubscriber, type ChannelOptions, type ChannelDeliverOptions } from './actors/Channel.js';
export { RemoteChannel } from './actors/RemoteChannel.js';
// ---- actors: supervision
export { Supervisor, SupervisorGaveUpError, type ChildSpec, type SupervisorOptions, type RestartPolicy, type SupervisionStrategy } from './actors/Supervisor.js';
// ---- transports: sockets
export { AsyncSocket, type ConnectOptions } from './transports/AsyncSocket.js';
export { AsyncServer, type ListenOptions } from './transports/AsyncServer.js';
export { AsyncUdpSocket, type Datagram, type UdpOptions } from './transports/AsyncUdpSocket.js';
export type { SocketOptions, SocketOpOptions } from './transports/AsyncSocketOptions.js';
export {
  SocketError, ConnectError, ListenError, TlsHandshakeError, SocketClosedError, ConnectionResetError, EndOfStreamError, LineTooLongError, SocketIOError,
} from './transports/errors.js';
// ---- transports: files, pipes, worker pool
export { AsyncFile, type FileReadOptions } from './transports/AsyncFile.js';
export { AsyncPipe, type Command, type ExitStatus, type PipeOptions } from './transports/AsyncPipe.js';
export { WorkerPool, type PoolTask, type WorkerPoolOptions } from './transports/WorkerPool.js';
export { FileClosedError, FileIOError, WorkerTaskError, WorkerCrashedError, PoolClosedError, PoolFullError } from './transports/fileErrors.js';
// ---- distribution
export { Network } from './transports/Network.js';
export type { NetworkOptions } from './transports/PeerOptions.js';
export type { LocateOptions } from './transports/PeerLocator.js';
export { Location } from './transports/Location.js';
export { Peer, type RequestHandler, type RequestOptions } from './transports/Peer.js';
export { PeerStatus } from './transports/PeerStatus.js';
export { RemoteCoro } from './actors/RemoteCoro.js';
export { Rci, RemoteRci, UnknownRciError, type RciFunction, type RciCallOptions, type RciLocateOptions } from './actors/Rci.js';
export { RciCoro } from './actors/RciCoro.js';
export type { SendFileOptions, SendFileResult, DelFileOptions } from './transports/FileTransfer.js';
export { PathNotAllowedError, FileExistsError, FileTooLargeError, FileTransferError } from './transports/FileTransferErrors.js';
export { Codec, registerReferenceType, ReferenceTags, expectArray, expectText } from './runtime/codec.js';
export { PROTOCOL_VERSION } from './transports/Handshake.js';
export {
  PeerLostError, PeerUnreachableError, AuthenticationError, ProtocolVersionError, ProtocolError,
  InsecureNetworkError, UnknownRequestError, NetworkStoppedError, RemoteError,
} from './transports/netErrors.js';
