/**
 * `asyncoro/extend`: the API for authors of layers on the peer network. A layer is a
 * {@link NetworkLayer}: the reference types it adds to the wire codec, the registries it makes
 * locatable, and the request handlers it installs (`net.handle`, `net.request`, `net.post`).
 * Applications need only `asyncoro`.
 * @example
 * ```ts
 * import { PeerNetwork, type NetworkLayer } from 'asyncoro/extend';
 * const ECHO: NetworkLayer = { install: (net) => net.handle('echo', (body) => body) };
 * ```
 * @module
 */
export { PeerNetwork, type NetworkLayer } from './transports/net/PeerNetwork.js';
export type { PeerLink, PeerLinkEvents } from './transports/net/PeerLink.js';
export type { PeerIdentity } from './transports/net/PeerLinks.js';
export { PortLink, type PortLinkOptions } from './transports/net/PortLink.js';
export { TurnWriter, EAGER_FLUSH_BYTES } from './transports/net/TurnWriter.js';
export { CloneWire } from './transports/net/CloneWire.js';
export { WorkerThread, ThreadExit, type WorkerThreadOptions } from './transports/io/WorkerThread.js';
export { Peer, type RequestHandler, type RequestOptions, type PeerHost } from './transports/net/Peer.js';
export { PeerLocator, serveLocate, MAX_REMOTE_LOCATE_WAIT, type LocateKind, type LocatorHost } from './transports/net/PeerLocator.js';
export { Codec, ReferenceTags, expectArray, expectText, MAX_TEXT, type ReferenceType, type WireContext } from './transports/net/Codec.js';
export { referenceFromWire, referenceToWire, REFERENCE_LIMITS, type NodeReference } from './transports/net/wireReference.js';
export { encodeFrame, FrameDecoder, FRAME_HEADER_BYTES, MAX_FRAME_LIMIT } from './transports/io/FrameDecoder.js';
export { PROTOCOL_VERSION } from './transports/net/nodeIdentity.js';
export { FILE_TRANSFER_LAYER } from './transports/net/fileTransfer.js';
export { PEER_EXCHANGE_LAYER, MAX_PEER_LIST } from './transports/net/peerExchange.js';
export { CORO_LAYER, CORO_LOCATE } from './actors/remote/coroRequests.js';
export { RemoteWatches, ServedWatch } from './actors/remote/RemoteWatches.js';
export { CHANNEL_LAYER, CHANNEL_LOCATE } from './actors/remote/RemoteChannel.js';
export { RCI_LAYER } from './actors/remote/Rci.js';
export { RetainedOutcomes, RETAINED_OUTCOMES } from './actors/remote/RetainedOutcomes.js';
