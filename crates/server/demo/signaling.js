// signaling.js — the reference client of Switchboard's `conference` dialect
// (docs/protocol/conference.md), over one WebSocket to `/conference`.
//
// Every message, both ways, is `{type, name, data, signal?}` in a text frame:
//   room/connect        → room/connectResponse {room, id, node}   (our id and our node)
//   conference/join     → conference/joinResponse {id, room, peers: [{id, name}]}
//                         and `conference/peerJoin {id, name}` to the others
//   signal/sdp, signal/trickle with data.to = the target's id: the server stamps data.id with
//                         the sender's id and passes `signal` through untouched
//   conference/peerLeave, system/peerDisconnected {id}: a member is gone
//   system/error {code, message, request}
// The server makes every id; a client never picks one. A new socket is a new id, so after a
// reconnect the others see us leave (peerDisconnected) and join again (peerJoin).
//
// This module knows the wire format and the connection's life: it reconnects with backoff
// when the socket drops (the node went away; behind a load balancer the next socket may land
// on another node) and joins the room again. It reports what happens as events:
//   'joined'  {id, node, peers}     after each (re)join
//   'peer'    {id, name}            a member joined after us
//   'gone'    {id}                  a member left or disconnected
//   'signal'  {from, signal}        an sdp or trickle for us
//   'down'    {retryInMs}           the socket closed; every peer connection is now stale
//   'error'   {code, message, request}

export class ConferenceClient extends EventTarget {
  /** @param {string} room @param {string} name @param {URL} url the ws(s):// endpoint */
  constructor(room, name, url) {
    super();
    this.room = room;
    this.name = name;
    this.url = url;
    this.id = null;
    this.node = null;
    this.socket = null;
    this.attempt = 0;
    this.closed = false;
    this.timer = null;
  }

  start() {
    this.closed = false;
    this.open();
  }

  /** Closes the socket for good (the page is going away). */
  stop() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, 'bye');
  }

  open() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      // connect first: its answer names the node this socket is on.
      this.send('room', 'connect', { room: this.room });
    };
    socket.onmessage = (event) => {
      // One frame may carry several messages separated by "\n" (the original servers did).
      for (const line of String(event.data).split('\n')) {
        if (!line.trim()) continue;
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        this.receive(message);
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.id = null;
      this.node = null;
      if (this.closed) return;
      // Backoff: 0.5 s, 1 s, 2 s, … up to 8 s, with jitter so that a node's clients do not
      // all come back at the same instant.
      const base = Math.min(8000, 500 * 2 ** this.attempt);
      const retryInMs = Math.round(base / 2 + Math.random() * (base / 2));
      this.attempt += 1;
      this.emit('down', { retryInMs });
      this.timer = setTimeout(() => this.open(), retryInMs);
    };
  }

  receive({ type, name, data, signal }) {
    if (!data || typeof data !== 'object') return;
    switch (`${type}/${name}`) {
      case 'room/connectResponse':
        this.id = data.id;
        this.node = data.node ?? null;
        this.send('conference', 'join', { room: this.room, name: this.name });
        break;
      case 'conference/joinResponse':
        this.attempt = 0;
        this.id = data.id;
        this.emit('joined', { id: data.id, node: this.node, peers: data.peers ?? [] });
        break;
      case 'conference/peerJoin':
        // `name` in the newer revision of the protocol, `peerName` in the first.
        this.emit('peer', { id: data.id, name: data.name ?? data.peerName ?? '' });
        break;
      case 'conference/peerLeave':
      case 'system/peerDisconnected':
        this.emit('gone', { id: data.id });
        break;
      case 'signal/sdp':
      case 'signal/trickle':
        if (data.room === this.room && data.id) this.emit('signal', { from: data.id, signal });
        break;
      case 'system/error':
        this.emit('error', data);
        break;
    }
  }

  /** Sends a signal object (`{desc}` or `{ice}`) to one member of the room. */
  signal(to, signal) {
    const name = signal.desc ? 'sdp' : 'trickle';
    this.send('signal', name, { room: this.room, to }, signal);
  }

  send(type, name, data, signal) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    const message = signal === undefined ? { type, name, data } : { type, name, data, signal };
    this.socket.send(JSON.stringify(message));
    return true;
  }

  emit(kind, detail) {
    this.dispatchEvent(new CustomEvent(kind, { detail }));
  }
}
