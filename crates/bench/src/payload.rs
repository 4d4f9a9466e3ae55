//! Realistic signaling payloads: an ICE candidate as browsers trickle it (a frame of about
//! 300 bytes) and an SDP offer/answer of a call with audio, video and a data channel (a
//! frame of about 2 KiB). Each dialect wraps these in its own envelope (see `dialect`).

use clap::ValueEnum;
use serde::Serialize;

/// The ICE username fragment of every payload (browsers use 4 characters).
const UFRAG: &str = "Xk9q";

/// Which kind of message a scenario relays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// An ICE candidate: peerjs CANDIDATE, conference signal/trickle (~300 B).
    Candidate,
    /// An SDP offer or answer: peerjs OFFER/ANSWER, conference signal/sdp (~2 KiB).
    Offer,
}

/// An `RTCIceCandidateInit` as JSON, as the browser hands it to the app.
pub fn ice_candidate() -> String {
    format!(
        r#"{{"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.77 50623 typ srflx raddr 192.168.1.7 rport 50623 generation 0 ufrag {UFRAG}","sdpMid":"0","sdpMLineIndex":0}}"#
    )
}

/// An `RTCSessionDescriptionInit` as JSON: `kind` is `offer` or `answer`.
pub fn session_description(kind: &str) -> String {
    let setup = if kind == "offer" { "actpass" } else { "active" };
    let sdp = SDP
        .replace("{ufrag}", UFRAG)
        .replace("{setup}", setup)
        .replace('\n', "\\r\\n");
    format!(r#"{{"type":"{kind}","sdp":"{sdp}"}}"#)
}

/// A Chrome-style SDP for audio, video and a data channel, trimmed to the lines every call
/// has. Line ends become `\r\n` escapes in JSON.
const SDP: &str = "v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1 2
a=msid-semantic: WMS 7d6f3c1e-2b8a-4c5d-9e0f-1a2b3c4d5e6f
m=audio 9 UDP/TLS/RTP/SAVPF 111 110
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:{ufrag}
a=ice-pwd:Yx3kQ9mZ2vB8nL4tR7wE1sA6
a=ice-options:trickle
a=fingerprint:sha-256 3B:9C:41:7E:A2:55:0D:C8:6F:12:B4:E9:83:27:5A:DF:61:0B:CC:94:38:7F:E2:15:A6:D3:48:9B:2E:71:C0:5D
a=setup:{setup}
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=sendrecv
a=msid:7d6f3c1e-2b8a-4c5d-9e0f-1a2b3c4d5e6f 0c8e2f4a-6b1d-4e3c-8a5f-9d7e6c5b4a3f
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:110 telephone-event/48000
a=ssrc:3735928559 cname:k2Vb7xQ9mNp4Lr8T
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:{ufrag}
a=ice-pwd:Yx3kQ9mZ2vB8nL4tR7wE1sA6
a=ice-options:trickle
a=fingerprint:sha-256 3B:9C:41:7E:A2:55:0D:C8:6F:12:B4:E9:83:27:5A:DF:61:0B:CC:94:38:7F:E2:15:A6:D3:48:9B:2E:71:C0:5D
a=setup:{setup}
a=mid:1
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=sendrecv
a=msid:7d6f3c1e-2b8a-4c5d-9e0f-1a2b3c4d5e6f 5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=ssrc:2882400001 cname:k2Vb7xQ9mNp4Lr8T
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=ice-ufrag:{ufrag}
a=ice-pwd:Yx3kQ9mZ2vB8nL4tR7wE1sA6
a=ice-options:trickle
a=fingerprint:sha-256 3B:9C:41:7E:A2:55:0D:C8:6F:12:B4:E9:83:27:5A:DF:61:0B:CC:94:38:7F:E2:15:A6:D3:48:9B:2E:71:C0:5D
a=setup:{setup}
a=mid:2
a=sctp-port:5000
a=max-message-size:262144
";
