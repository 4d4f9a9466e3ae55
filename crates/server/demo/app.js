// app.js — the demo page, and the reference client of Switchboard's `conference` dialect
// (docs/protocol/conference.md, docs/demo.md): every tab joins a room and holds one
// RTCPeerConnection to every other member (a mesh), with video, audio and a chat over an
// RTCDataChannel. The server only relays the signals (SDP and trickled ICE candidates);
// media and chat go peer to peer.
//
//   /demo/?room=R&name=N            join room R as N at once (a form asks when either is absent)
//   &ice=[{"urls":"stun:…"}]         ICE servers (JSON array of RTCIceServer); the default comes
//                                    from the server's --ice-servers (config.js), empty unless set
//
// window.demo is a read-only snapshot for tests and the curious, current on every read:
//   { id, node, room, peers: { [id]: { name, state, framesDecoded, chat: [{from, text}] } } }

import { iceServers as configuredIceServers } from './config.js';
import { ConferenceClient } from './signaling.js';
import { PeerLink, MAX_CHAT } from './peer.js';
import * as ui from './ui.js';

const params = new URLSearchParams(location.search);
const room = params.get('room');
const name = params.get('name');

/** @type {Map<string, {name: string, link: PeerLink}>} the other members, by id */
const peers = new Map();
/** Ids that left: a late signal from one of them must not bring it back. */
const departed = new Set();
let client = null;
let localStream = null;
let socketNote = 'connecting…';

Object.defineProperty(window, 'demo', { get: snapshot, enumerable: true });

main().catch((err) => ui.setStatus(`error: ${err.message}`));

async function main() {
  if (!room || !name) {
    ui.showForm(room, name);
    ui.setStatus('choose a room and a name');
    return;
  }
  const iceServers = parseIceServers(params.get('ice'));
  ui.showCall(name);
  localStream = await openCamera();
  ui.setLocalStream(localStream);

  const url = new URL('../conference', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  client = new ConferenceClient(room, name, url);

  client.addEventListener('joined', ({ detail }) => {
    socketNote = '';
    for (const peer of detail.peers) addPeer(peer.id, peer.name, iceServers);
    refresh();
  });
  client.addEventListener('peer', ({ detail }) => addPeer(detail.id, detail.name, iceServers));
  client.addEventListener('gone', ({ detail }) => removePeer(detail.id));
  client.addEventListener('signal', ({ detail: { from, signal } }) => {
    if (!peers.has(from)) {
      // An offer may overtake its sender's peerJoin across nodes; anything else from a
      // stranger is stale.
      if (departed.has(from) || signal?.desc?.type !== 'offer') return;
      addPeer(from, '', iceServers);
    }
    peers.get(from).link.handle(signal);
  });
  client.addEventListener('down', ({ detail }) => {
    // A new socket is a new id: the others drop our old one, so we drop them too and meet
    // them again after the rejoin.
    for (const id of [...peers.keys()]) removePeer(id);
    socketNote = `disconnected; reconnecting in ${(detail.retryInMs / 1000).toFixed(1)} s`;
    refresh();
  });
  client.addEventListener('error', ({ detail }) => {
    socketNote = `server: ${detail.code}: ${detail.message}`;
    refresh();
  });
  window.addEventListener('pagehide', () => client.stop());

  ui.onChat((text) => {
    text = text.slice(0, MAX_CHAT);
    let sent = 0;
    for (const { link } of peers.values()) if (link.sendChat(text)) sent += 1;
    if (sent > 0) ui.appendChat(name, text, true);
    return sent > 0;
  });

  client.start();
  // framesDecoded comes from getStats(): refreshed twice a second, with the status line.
  setInterval(() => {
    for (const { link } of peers.values()) link.refreshStats().catch(() => {});
    refresh();
  }, 500);
}

function parseIceServers(text) {
  if (text === null) return configuredIceServers;
  const servers = JSON.parse(text);
  if (!Array.isArray(servers)) throw new Error('the ice parameter must be a JSON array of RTCIceServer');
  // The browser checks the entries (URLs, TURN credentials) now rather than at the first peer.
  new RTCPeerConnection({ iceServers: servers }).close();
  return servers;
}

async function openCamera() {
  if (!navigator.mediaDevices?.getUserMedia) return null;
  for (const constraints of [{ video: true, audio: true }, { video: true }]) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch {
      // try with less, then without a camera at all (the tab still sees and hears others)
    }
  }
  return null;
}

function addPeer(id, peerName, iceServers) {
  if (!client?.id || id === client.id) return;
  const known = peers.get(id);
  if (known) {
    if (!known.name && peerName) known.name = peerName;
    refresh();
    return;
  }
  ui.addTile(id, peerName);
  const link = new PeerLink({
    selfId: client.id,
    peerId: id,
    iceServers,
    stream: localStream,
    send: (signal) => client.signal(id, signal),
    onChange: (what) => {
      if (what === 'track') ui.setTileStream(id, link.remoteStream);
      if (what === 'chat') {
        const last = link.chat.at(-1);
        if (last && last.from === id && last !== link.shownChat) {
          link.shownChat = last;
          ui.appendChat(peers.get(id)?.name || id.slice(0, 8), last.text, false);
        }
      }
      refresh();
    },
  });
  peers.set(id, { name: peerName, link });
  refresh();
}

function removePeer(id) {
  departed.add(id);
  const peer = peers.get(id);
  if (!peer) return;
  peers.delete(id);
  peer.link.close();
  ui.removeTile(id);
  refresh();
}

/** The status line and the tiles' labels. */
function refresh() {
  for (const [id, peer] of peers) ui.setTileLabel(id, peer.name, peer.link.pc.connectionState);
  const parts = [
    `node ${client?.node ?? '?'}`,
    `room ${room}`,
    `you ${name} (${client?.id?.slice(0, 8) ?? '…'})`,
  ];
  const states = [...peers.values()].map((p) => `${p.name || '…'}: ${p.link.pc.connectionState}`);
  parts.push(states.length ? `peers: ${states.join(', ')}` : 'no one else here yet');
  if (socketNote) parts.push(socketNote);
  ui.setStatus(parts.join(' · '));
}

function snapshot() {
  const out = {};
  for (const [id, peer] of peers) {
    out[id] = Object.freeze({
      name: peer.name,
      state: peer.link.pc.connectionState,
      framesDecoded: peer.link.framesDecoded,
      chat: Object.freeze(peer.link.chat.map((m) => Object.freeze({ from: m.from, text: m.text }))),
    });
  }
  return Object.freeze({ id: client?.id ?? null, node: client?.node ?? null, room, peers: Object.freeze(out) });
}
