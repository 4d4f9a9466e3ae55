// peer.js — one WebRTC peer connection of the demo's mesh, negotiated with the "perfect
// negotiation" pattern (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example) over
// the `conference` dialect's targeted signals: `{desc}` (an SDP offer or answer, sent as
// signal/sdp) and `{ice}` (an ICE candidate, trickled as signal/trickle).
//
// Roles come from the ids the server gave: the peer with the smaller id is *polite* (it
// yields in an offer collision and rolls its own offer back), the other *impolite* (it
// ignores a colliding offer). Both sides compute the same roles without talking.
//
// First contact: only the impolite side offers. It adds its camera and the chat data channel
// at once; the polite side adds nothing until that offer arrives, then adds its camera to
// the offered transceivers and answers. Chromium 156 has a bug where a connection that rolls
// back its own offer while gathering ICE candidates (the polite side of a glare) may never
// gather a candidate again, even after restartIce(); two tabs meeting would hit it about half
// the time if both offered at once. Later renegotiations (either side may start one) go
// through perfect negotiation, and only the impolite side restarts ICE after a failure.

export class PeerLink {
  /**
   * @param {object} options
   * @param {string} options.selfId our id (from connectResponse)
   * @param {string} options.peerId the other side's id
   * @param {RTCIceServer[]} options.iceServers
   * @param {MediaStream|null} options.stream our camera (and microphone), or null
   * @param {(signal: object) => void} options.send sends a signal to the other side
   * @param {(what: string) => void} options.onChange something visible changed
   */
  constructor({ selfId, peerId, iceServers, stream, send, onChange }) {
    this.selfId = selfId;
    this.peerId = peerId;
    this.polite = selfId < peerId;
    this.stream = stream;
    this.send = send;
    this.onChange = onChange;
    this.pc = new RTCPeerConnection({ iceServers });
    this.remoteStream = new MediaStream();
    this.channel = null;
    /** @type {{from: string, text: string}[]} oldest first, our own messages included */
    this.chat = [];
    this.framesDecoded = 0;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.localAdded = false;
    this.closed = false;
    // Incoming signals are applied one at a time, in the order the server delivered them.
    this.queue = Promise.resolve();

    const pc = this.pc;
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.send({ desc: pc.localDescription.toJSON() });
      } catch (err) {
        console.warn(`negotiation with ${peerId} failed`, err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      // A null candidate marks the end of gathering; the other side needs nothing for it.
      if (candidate) this.send({ ice: candidate.toJSON() });
    };
    pc.ontrack = ({ track }) => {
      this.remoteStream.addTrack(track);
      this.onChange('track');
    };
    pc.ondatachannel = ({ channel }) => this.useChannel(channel);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' && !this.polite) pc.restartIce();
      this.onChange('state');
    };

    if (!this.polite) this.addLocal();
  }

  /** Our camera and, on the impolite side, the chat channel: the first offer's content. */
  addLocal() {
    if (this.localAdded) return;
    this.localAdded = true;
    if (this.stream) {
      for (const track of this.stream.getTracks()) this.pc.addTrack(track, this.stream);
    } else {
      // No camera: still ask for the other side's video and audio.
      this.pc.addTransceiver('video', { direction: 'recvonly' });
      this.pc.addTransceiver('audio', { direction: 'recvonly' });
    }
    if (!this.polite) this.useChannel(this.pc.createDataChannel('chat'));
  }

  useChannel(channel) {
    if (channel.label !== 'chat') return;
    this.channel = channel;
    channel.onopen = () => this.onChange('chat');
    channel.onclose = () => this.onChange('chat');
    channel.onmessage = ({ data }) => {
      let text;
      try {
        text = JSON.parse(data).text;
      } catch {
        return;
      }
      if (typeof text !== 'string') return;
      // The sender is whoever is at the other end of this channel, whatever the message says.
      this.chat.push({ from: this.peerId, text: text.slice(0, MAX_CHAT) });
      this.onChange('chat');
    };
  }

  /** Sends a chat line over the data channel; false when the channel is not open. */
  sendChat(text) {
    if (this.channel?.readyState !== 'open') return false;
    this.channel.send(JSON.stringify({ text }));
    this.chat.push({ from: this.selfId, text });
    this.onChange('chat');
    return true;
  }

  /** Applies a signal from the other side (`{desc}` or `{ice}`), after those before it. */
  handle(signal) {
    this.queue = this.queue
      .then(() => this.apply(signal))
      .catch((err) => console.warn(`signal from ${this.peerId} failed`, err));
  }

  async apply(signal) {
    if (this.closed || !signal || typeof signal !== 'object') return;
    const pc = this.pc;
    const { desc, ice } = signal;
    if (desc && typeof desc === 'object') {
      const collision = desc.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      // On the polite side of a collision this rolls our own offer back first.
      await pc.setRemoteDescription(desc);
      if (desc.type === 'offer') {
        // First contact on the polite side: answer with our camera in the offered slots.
        this.addLocal();
        await pc.setLocalDescription();
        this.send({ desc: pc.localDescription.toJSON() });
      }
    } else if (ice && typeof ice === 'object') {
      try {
        await pc.addIceCandidate(ice);
      } catch (err) {
        // Candidates of an offer we ignored do not fit; anything else is worth a warning.
        if (!this.ignoreOffer) throw err;
      }
    }
  }

  /** Reads the inbound video's framesDecoded from getStats(). */
  async refreshStats() {
    if (this.closed) return;
    const stats = await this.pc.getStats();
    let frames = 0;
    stats.forEach((report) => {
      if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
    });
    this.framesDecoded = frames;
  }

  close() {
    this.closed = true;
    this.channel?.close();
    this.pc.close();
  }
}

/** Longest chat line kept from a peer, in UTF-16 units. */
export const MAX_CHAT = 2000;
