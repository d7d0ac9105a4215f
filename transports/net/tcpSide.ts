/**
 * The TCP side of a peer network: listening, dialling, handshakes, framed and sealed connections,
 * discovery, seeds. A network loads it (`import()`) when it first listens, discovers, has seeds
 * or dials; a worker thread linked to its owner and siblings by ports, and told not to listen,
 * never does (Node 20 loads each ES module at a cost, and `net`, `dgram` and `dns` with them).
 * @module
 */
export { Discovery, encodePing } from './Discovery.js';
export { HandshakeTable } from './HandshakeTable.js';
export { PeerConnection } from './PeerConnection.js';
export { ReadTurns } from './ReadTurns.js';
export { advertisedHost } from './advertisedHost.js';
export { broadcastTargets } from './broadcastTargets.js';
export { greetingBytes, handshake } from './handshake.js';
export { reject, RejectReason } from './hellos.js';
export { closeListeners, dial, listenAll } from './peerDialer.js';
export { lookupAll, SeedAddresses } from './seedAddresses.js';
export { encodeFrame } from '../io/FrameDecoder.js';
