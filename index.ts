/**
 * asyncoro: Erlang-style coroutines with mailboxes, actor-owned locks, channels, async I/O and
 * distribution for Node.js. This entry holds what the README documents; the API for authors of
 * layers on the peer network (request handlers, reference types, frames) is `asyncoro/extend`.
 * @module
 */
// ---- runtime
export * from './runtime/runtimeErrors.js';
export { Coro, type CoroFunction, type SpawnOptions, type ReceiveOptions, type SuspendOptions, type MonitorTarget } from './runtime/Coro.js';
export { Scheduler, type SchedulerOptions, type SchedulerStats } from './runtime/Scheduler.js';
export type { CoroRef, NodeAddress, NetworkLocateOptions, SchedulerNetwork } from './runtime/networkPort.js';
export type { Address } from './runtime/address.js';
export { spawn, spawnWith } from './runtime/spawn.js';
export { mailboxStream, type StreamOptions } from './runtime/mailboxStream.js';
export type { SchedulerSnapshot, CoroSnapshot, CoroActivity, PeerSnapshot, MessageCounters } from './runtime/snapshotTypes.js';
export { schedulerMetrics, prometheusText, type Metric } from './runtime/metrics.js';
export { ProcessMetrics, type ProcessSample, type LoopDelay } from './runtime/ProcessMetrics.js';
export { MonitorStatus, type ExitReason } from './runtime/MonitorStatus.js';
export { MessageCategories } from './runtime/MessageCategories.js';
export type { MailboxOptions, OverflowPolicy } from './runtime/Mailbox.js';
export type { WaitOptions, SendOptions } from './runtime/options.js';
export type { ActingWaitOptions, ActingCoro } from './runtime/coroTypes.js';
export { silentLogger, defaultLogger, createLogger, logLevelFromEnv, REDACT_PATHS, redactSecrets, type Logger, type LogLevel } from './runtime/logging.js';
// ---- actors: synchronisation, channels, supervision
export { Lock } from './actors/sync/Lock.js';
export { RLock } from './actors/sync/RLock.js';
export { Condition } from './actors/sync/Condition.js';
export { Event } from './actors/sync/Event.js';
export { Semaphore, BoundedSemaphore } from './actors/sync/Semaphore.js';
export { LockGuard } from './actors/sync/LockGuard.js';
export { Channel, type ChannelSubscriber, type ChannelOptions, type ChannelDeliverOptions } from './actors/Channel.js';
export { ask, type AskOptions, type ReplyOf, type ReplyTo, type Router } from './actors/ask.js';
export { Pool, type PoolOptions, type PoolRouting } from './actors/Pool.js';
export { Supervisor, type ChildSpec, type SupervisorOptions, type RestartPolicy, type SupervisionStrategy } from './actors/Supervisor.js';
export { SemaphoreOverflowError, ChannelClosedError, UnknownRciError, SupervisorGaveUpError, ChildStartError, UnknownChildError } from './actors/actorErrors.js';
// ---- transports: sockets, files, pipes, worker pool
export { AsyncSocket, type ConnectOptions } from './transports/io/AsyncSocket.js';
export { AsyncServer, type ListenOptions } from './transports/io/AsyncServer.js';
export { HttpServer, HttpExchange, HttpClosed, type HttpListenOptions, type HttpOwner } from './transports/io/HttpServer.js';
export { AsyncUdpSocket, type Datagram, type UdpOptions } from './transports/io/AsyncUdpSocket.js';
export type { SocketOptions, SocketOpOptions } from './transports/io/socketOptions.js';
export { AsyncFile, type FileReadOptions, type OpenOptions } from './transports/io/AsyncFile.js';
export { AsyncPipe, type Command, type CommunicateResult, type ExitStatus, type PipeOptions } from './transports/io/AsyncPipe.js';
export { ForkedProcess, ProcessExit, ProcessMessage, type ForkOptions, type ProcessOwner } from './transports/io/ForkedProcess.js';
export { WorkerPool, type PoolTask, type WorkerPoolOptions } from './transports/io/WorkerPool.js';
export { IpcPort, IPC_CLOSED, type IpcEndpoint } from './transports/io/IpcPort.js';
export {
  SocketError, ConnectError, ListenError, TlsHandshakeError, SocketClosedError, ConnectionResetError, EndOfStreamError, LineTooLongError, SocketIOError,
  FrameTooLargeError, FileClosedError, FileIOError, WorkerTaskError, WorkerCrashedError, PoolClosedError, PoolFullError, IpcClosedError, TarballError,
} from './transports/io/ioErrors.js';
// ---- observability: the dashboard
export { serveDashboard, type DashboardHandle } from './actors/dashboard/serveDashboard.js';
export type { DashboardOptions, Readiness, ThreadsSource } from './actors/dashboard/dashboardOptions.js';
export type { ClusterSource, NodeView, ServerView, ComputationView, JobView, JobState, JobCounts, ActionResult, FailedJobView } from './actors/dashboard/clusterSource.js';
export { InsecureDashboardError, DashboardBadRequestError, DashboardUnauthorizedError, DashboardForbiddenError, DashboardNotFoundError, DashboardMethodError, DashboardActionError } from './actors/dashboard/dashboardErrors.js';
// ---- discoro: computations on discoronode clusters
export { Computation, type ComputationOptions, type JobOptions, type JobFunction, type RunResultsOptions } from './actors/discoro/client/Computation.js';
export { JobCoro } from './actors/discoro/client/JobCoro.js';
export { DiscoroNode } from './actors/discoro/node/DiscoroNode.js';
export { ComputationCluster, type ClusterComputation } from './actors/discoro/client/ComputationCluster.js';
export { NodeCluster } from './actors/discoro/node/NodeCluster.js';
export type { DiscoroNodeOptions, NodeDashboardOptions } from './actors/discoro/node/discoroNodeOptions.js';
export type { DiscoroStatus, DiscoroStatusKind, JobInfo } from './actors/discoro/client/discoroStatus.js';
export type { NodeInfo, NodeAvailability, ServerInfo, JobContext } from './actors/discoro/protocol.js';
export type { NodeAllocation } from './actors/discoro/client/nodeAllocation.js';
export type { Component } from './actors/discoro/client/components.js';
export { ComponentError, ServerLostError, NotComputationOwnerError, UnknownJobFunctionError, ComputationClosedError, SetupFailedError, NodeFolderInUseError, OutOfServiceError } from './actors/actorErrors.js';
// ---- distribution
export { Network } from './actors/remote/Network.js';
export type { NetworkOptions } from './transports/net/peerOptions.js';
export type { Peering } from './transports/net/peering.js';
export { newSecret, type PeerTlsOptions } from './transports/net/PeerKeys.js';
export { Secret } from './transports/net/Secret.js';
export type { LocateOptions } from './transports/net/PeerLocator.js';
export { Location } from './transports/net/Location.js';
export { PeerStatus } from './transports/net/PeerStatus.js';
export type { SendFileOptions, SendFileResult, DelFileOptions } from './transports/net/fileTransfer.js';
export { RemoteCoro } from './actors/remote/RemoteCoro.js';
export { RemoteChannel } from './actors/remote/RemoteChannel.js';
export { Rci, RemoteRci, type RciFunction, type RciCallOptions, type RciLocateOptions } from './actors/remote/Rci.js';
export { RciCoro } from './actors/remote/RciCoro.js';
// ---- threads: all cores behind the same API
export { Threads, type ThreadsOptions, type ThreadInfo, type ThreadSnapshot } from './actors/threads/Threads.js';
export { spawnOn, spawnOnWith, ThreadCoro, type SpawnOnOptions, type ThreadFunction, type MessageOf, type ResultOf, type ArgsOf } from './actors/threads/spawnOn.js';
export type { Placement } from './actors/threads/placement.js';
export { threadChild } from './actors/threads/threadChild.js';
export { ThreadFunctionError, NoThreadError, ThreadStartError } from './actors/actorErrors.js';
export {
  PeerLostError, PeerUnreachableError, PeerBusyError, AuthenticationError, ProtocolVersionError, ProtocolError,
  InsecureNetworkError, WeakSecretError, UnknownRequestError, NetworkStoppedError, RemoteError,
  PathNotAllowedError, FileExistsError, FileTooLargeError, FileTransferError, FileTransferLimitError,
} from './transports/net/netErrors.js';
