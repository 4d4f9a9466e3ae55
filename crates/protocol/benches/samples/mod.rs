//! What browsers really send, shared by the protocol benches: an ICE candidate and an SDP
//! offer of realistic size and shape, so the figures describe the frames a server sees and
//! not toy strings that fit in a cache line.

/// The id the server gave the sender.
pub const SENDER: &str = "0f8e2b6c-41d3-4a7e-9c15-7be2d4f0a981";
/// The id of the peer a signal is for.
pub const TARGET: &str = "6481452f-2c1d-4bf3-91b3-58d3c92080f0";

/// A host candidate as Chrome trickles it (`RTCIceCandidate.toJSON()`).
pub const ICE_CANDIDATE: &str = r#"{"candidate":"candidate:1467250027 1 udp 2122260223 192.168.1.7 50623 typ host generation 0 ufrag EsAw network-id 1","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"EsAw"}"#;

/// The SDP of an offer for one audio track and a data channel, as Chrome writes it.
const SDP_LINES: &[&str] = &[
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0 1",
    "a=extmap-allow-mixed",
    "a=msid-semantic: WMS 5c9f1f9e-0b7c-4d0a-9a43-3c0a2f1e8d21",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
    "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:EsAw",
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
    "a=ice-options:trickle",
    "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F",
    "a=setup:actpass",
    "a=mid:0",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
    "a=sendrecv",
    "a=msid:5c9f1f9e-0b7c-4d0a-9a43-3c0a2f1e8d21 0d5c3b1a-7e2f-4c89-b3a6-1f0e9d8c7b6a",
    "a=rtcp-mux",
    "a=rtcp-rsize",
    "a=rtpmap:111 opus/48000/2",
    "a=rtcp-fb:111 transport-cc",
    "a=fmtp:111 minptime=10;useinbandfec=1",
    "a=rtpmap:63 red/48000/2",
    "a=fmtp:63 111/111",
    "a=rtpmap:9 G722/8000",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:13 CN/8000",
    "a=rtpmap:110 telephone-event/48000",
    "a=rtpmap:126 telephone-event/8000",
    "a=ssrc:1001234567 cname:Yq2kT6mJ9pXw3LbN",
    "a=ssrc:1001234567 msid:5c9f1f9e-0b7c-4d0a-9a43-3c0a2f1e8d21 0d5c3b1a-7e2f-4c89-b3a6-1f0e9d8c7b6a",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    "a=ice-ufrag:EsAw",
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
    "a=ice-options:trickle",
    "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F",
    "a=setup:actpass",
    "a=mid:1",
    "a=sctp-port:5000",
    "a=max-message-size:262144",
];

/// `{"type":"offer","sdp":"…"}` (`RTCSessionDescription.toJSON()`), the SDP JSON-escaped
/// (every line ends in `\r\n`).
pub fn session_description() -> String {
    let sdp: String = SDP_LINES.iter().map(|line| format!("{line}\r\n")).collect();
    let sdp = serde_json::to_string(&sdp).expect("a string always serializes");
    format!(r#"{{"type":"offer","sdp":{sdp}}}"#)
}

/// Asserts that `frame` is the size its name promises, so an edit to the samples cannot turn
/// a "CANDIDATE-sized" figure into something else unnoticed.
pub fn check_size(what: &str, frame: &str, bytes: std::ops::RangeInclusive<usize>) {
    assert!(
        bytes.contains(&frame.len()),
        "{what} is {} bytes, expected {bytes:?}",
        frame.len()
    );
}
