'use strict';
// Shared setup for the peerjs client tests: WebRTC for Node (node-datachannel polyfill, pinned
// to loopback), a WebSocket global for the peerjs client, the server address from the
// environment, and small bounded helpers. Must be required before anything else loads peerjs:
// peerjs probes RTCPeerConnection once, when it is first loaded.

const polyfill = require('node-datachannel/polyfill');
const nodeDataChannel = require('node-datachannel');
const WebSocket = require('ws');

// libdatachannel's own log (Verbose, Debug, Info, Warning, Error, Fatal), for debugging.
if (process.env.PEERJS_NDC_LOG) {
  nodeDataChannel.initLogger(process.env.PEERJS_NDC_LOG, (level, message) => console.error(`[rtc ${level}] ${message}`));
}

// RTCPeerConnection for peerjs: the node-datachannel polyfill, with three adjustments.
//
// 1. Loopback only. Every RTCPeerConnection (including the one peerjs makes at load time to
//    probe support, with its default public STUN/TURN servers) gets no ICE servers and binds to
//    127.0.0.1, so its only candidate is a loopback host candidate: nothing leaves the machine.
//
// 2. Local candidates only after setLocalDescription, as in a browser. libdatachannel gathers
//    as soon as it makes its description itself, so without this a CANDIDATE could be sent
//    before the OFFER or ANSWER it belongs to, and the far end would reject it.
//
// 3. The answerer does not use the offerer's candidates until its ICE is connected (or
//    REMOTE_CANDIDATE_HOLD_MS passed). Otherwise, on loopback, the answerer's ICE checks and
//    DTLS hello reach the offerer before the ANSWER does (the ANSWER goes through the server),
//    and libdatachannel, which checks the DTLS fingerprint against the remote description, then
//    fails the handshake ("certificate verify failed"); browsers wait for the fingerprint. So
//    the offerer, which has the ANSWER and the answerer's candidates, makes the first checks.
//    The offerer's candidates are still relayed and counted (see `rigStats`); tests check that
//    both sides received some.
const REMOTE_CANDIDATE_HOLD_MS = 1500;

class RigRTCPeerConnection extends polyfill.RTCPeerConnection {
  constructor(config = {}) {
    super({ ...config, iceServers: [], bindAddress: '127.0.0.1' });
    this.rigStats = { localCandidates: 0, remoteCandidates: 0 };
    this._rig = { localSet: false, heldLocal: [], answerer: false, heldRemote: [], timer: null };
    this.addEventListener('iceconnectionstatechange', () => {
      let state;
      try {
        state = this.iceConnectionState;
      } catch {
        state = 'closed';
      }
      if (state === 'connected' || state === 'completed') this._rigFlushRemote();
      if (state === 'closed' || state === 'failed') this._rigClearTimer();
    });
  }

  dispatchEvent(event) {
    if (event.type === 'icecandidate' && this._rig && !this._rig.localSet) {
      this._rig.heldLocal.push(event);
      return true;
    }
    if (event.type === 'icecandidate' && event.candidate) this.rigStats.localCandidates += 1;
    return super.dispatchEvent(event);
  }

  async setLocalDescription(description) {
    await super.setLocalDescription(description);
    if (this._rig.localSet) return;
    this._rig.localSet = true;
    // After the caller's continuation (which sends the OFFER / ANSWER) has run.
    setImmediate(() => {
      const held = this._rig.heldLocal.splice(0);
      for (const event of held) this.dispatchEvent(event);
    });
  }

  async setRemoteDescription(description) {
    if (description && description.type === 'offer') this._rig.answerer = true;
    return super.setRemoteDescription(description);
  }

  async addIceCandidate(candidate) {
    if (candidate && candidate.candidate) this.rigStats.remoteCandidates += 1;
    const state = this.iceConnectionState;
    if (this._rig.answerer && state !== 'connected' && state !== 'completed' && candidate && candidate.candidate) {
      this._rig.heldRemote.push(candidate);
      if (!this._rig.timer) {
        this._rig.timer = setTimeout(() => this._rigFlushRemote(), REMOTE_CANDIDATE_HOLD_MS);
        this._rig.timer.unref();
      }
      return undefined;
    }
    return super.addIceCandidate(candidate);
  }

  _rigClearTimer() {
    if (this._rig.timer) clearTimeout(this._rig.timer);
    this._rig.timer = null;
  }

  _rigFlushRemote() {
    this._rigClearTimer();
    this._rig.answerer = false;
    for (const candidate of this._rig.heldRemote.splice(0)) {
      super.addIceCandidate(candidate).catch(() => {});
    }
  }

  close() {
    this._rigClearTimer();
    this._rig.heldRemote.length = 0;
    return super.close();
  }
}
for (const [name, value] of Object.entries(polyfill)) {
  if (name !== 'default') globalThis[name] = value;
}
globalThis.RTCPeerConnection = RigRTCPeerConnection;
// Node 20 has no global WebSocket. peerjs sets no onerror: in a browser a failed socket just
// fires 'error' then 'close' (and peerjs reports 'disconnected' / a 'network' error), whereas an
// 'error' with no listener on a `ws` socket throws; so give each socket a listener.
class BrowserLikeWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.on('error', (err) => {
      if (config.debug) console.error(`[ws ${this.url}] ${err.message}`);
    });
  }
}
globalThis.WebSocket = BrowserLikeWebSocket;

const { Peer, util } = require('peerjs');

if (!util.supports.data) {
  throw new Error('peerjs sees no data channel support: ' + JSON.stringify(util.supports));
}

function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

const HOST = process.env.PEERJS_HOST || '127.0.0.1';
const PORT = intEnv('PEERJS_PORT', 9000);
const config = {
  // Node A: where peer A (the first peer of each test) connects.
  a: { host: HOST, port: PORT },
  // Node B: where peer B connects; the same server unless PEERJS_PORT_B / PEERJS_HOST_B are set.
  b: { host: process.env.PEERJS_HOST_B || HOST, port: intEnv('PEERJS_PORT_B', PORT) },
  path: process.env.PEERJS_PATH || '/',
  key: process.env.PEERJS_KEY || 'peerjs',
  secure: process.env.PEERJS_SECURE === '1' || process.env.PEERJS_SECURE === 'true',
  // What the server under test was started with (they bound the waits and the checks).
  expireTimeoutMs: intEnv('PEERJS_EXPIRE_TIMEOUT_MS', 1000),
  aliveTimeoutMs: intEnv('PEERJS_ALIVE_TIMEOUT_MS', 3000),
  // Heartbeat period of the well-behaved peers; must be well under the alive timeout.
  pingIntervalMs: intEnv('PEERJS_PING_INTERVAL_MS', 1000),
  // Bound on any single wait that does not depend on the server's timeouts.
  stepTimeoutMs: intEnv('PEERJS_STEP_TIMEOUT_MS', 10000),
  debug: intEnv('PEERJS_DEBUG', 0),
};
if (config.pingIntervalMs * 2 > config.aliveTimeoutMs) {
  throw new Error('PEERJS_PING_INTERVAL_MS must be at most half of PEERJS_ALIVE_TIMEOUT_MS');
}

function describeConfig() {
  const b = config.b.host === config.a.host && config.b.port === config.a.port
    ? 'same' : `${config.b.host}:${config.b.port}`;
  return `A=${config.a.host}:${config.a.port} B=${b} path=${config.path} key=${config.key}`;
}

let counter = 0;
/** A fresh peer id, valid for peerjs (alphanumerics) and unique across runs. */
function randomId(prefix = 'p') {
  counter += 1;
  return `${prefix}${process.pid}x${Date.now().toString(36)}x${counter}x${Math.random().toString(36).slice(2, 8)}`;
}

const livePeers = new Set();

/**
 * A stock peerjs Peer on node 'a' or 'b'. Each Peer makes its own random token, as in a browser.
 * Extra options (e.g. pingInterval) override the defaults.
 */
function makePeer(id, node = 'a', extra = {}) {
  const where = config[node];
  if (!where) throw new Error(`unknown node ${node}`);
  const peer = new Peer(id, {
    host: where.host,
    port: where.port,
    path: config.path,
    key: config.key,
    secure: config.secure,
    pingInterval: config.pingIntervalMs,
    debug: config.debug,
    config: { iceServers: [] },
    ...extra,
  });
  livePeers.add(peer);
  // Collect every error so a test can inspect them, and so an unexpected one never throws
  // through an EventEmitter with no 'error' listener.
  peer.errors = [];
  peer.on('error', (err) => {
    peer.errors.push(err);
    if (config.debug) console.error(`[peer ${id}] error ${err.type}: ${err.message}`);
  });
  return peer;
}

function destroyAll() {
  for (const peer of livePeers) {
    try {
      peer.destroy();
    } catch {
      // already gone
    }
  }
  livePeers.clear();
}

/**
 * Resolve with the args of the first `event` on `emitter` (an EventEmitter, peerjs style),
 * reject after `ms` or, if `failOn` names events, as soon as one of those fires.
 */
function waitFor(emitter, event, ms, what, failOn = []) {
  return new Promise((resolve, reject) => {
    const cleanups = [];
    const done = (fn, value) => {
      clearTimeout(timer);
      for (const c of cleanups) c();
      fn(value);
    };
    const timer = setTimeout(
      () => done(reject, new Error(`timed out after ${ms} ms waiting for ${what || event}`)),
      ms,
    );
    const onEvent = (...args) => done(resolve, args);
    emitter.once(event, onEvent);
    cleanups.push(() => emitter.off(event, onEvent));
    for (const bad of failOn) {
      const onBad = (arg) => done(reject, new Error(
        `${bad} while waiting for ${what || event}: ${arg && arg.type ? arg.type + ': ' : ''}${arg && arg.message ? arg.message : arg}`,
      ));
      emitter.once(bad, onBad);
      cleanups.push(() => emitter.off(bad, onBad));
    }
  });
}

/**
 * Resolve with the first error of `peer` whose type is `type`; reject after `ms`, or at once on
 * an error of any other type (e.g. 'network' when the server cannot be reached).
 */
function waitForError(peer, type, ms, what) {
  const seen = peer.errors.find((e) => e.type === type);
  if (seen) return Promise.resolve(seen);
  const other = peer.errors.find((e) => e.type !== type);
  if (other) {
    return Promise.reject(new Error(`${other.type} (${other.message}) before ${what || type}`));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      peer.off('error', onError);
      reject(new Error(`timed out after ${ms} ms waiting for ${what || type}`));
    }, ms);
    const onError = (err) => {
      clearTimeout(timer);
      peer.off('error', onError);
      if (err.type === type) resolve(err);
      else reject(new Error(`${err.type} (${err.message}) while waiting for ${what || type}`));
    };
    peer.on('error', onError);
  });
}

/** Wait for the peer's OPEN from the server; fails fast on any peer error. */
async function waitOpen(peer, what) {
  if (peer.open) return peer.id;
  const [id] = await waitFor(peer, 'open', config.stepTimeoutMs, what || `OPEN for ${peer.id}`, ['error']);
  return id;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Close everything after a test file: peers, then libdatachannel's threads. An unref'd
 * watchdog ends the process if a native handle still keeps it alive.
 */
async function shutdown() {
  destroyAll();
  await delay(200);
  try {
    nodeDataChannel.cleanup();
  } catch {
    // nothing to clean
  }
  setTimeout(() => {
    console.error('peerjs-client rig: process still alive 5 s after shutdown, forcing exit');
    process.exit(process.exitCode || 0);
  }, 5000).unref();
}

module.exports = {
  Peer,
  util,
  config,
  describeConfig,
  randomId,
  makePeer,
  destroyAll,
  waitFor,
  waitForError,
  waitOpen,
  delay,
  shutdown,
};
