#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/seeds/<target>/ from the documented messages
(/work/shared/seeds and docs/protocol/). Each file is one input, with the selector byte the
target reads first. Re-run after editing; the files are committed."""
import json, os, pathlib, re, shutil

here = pathlib.Path(__file__).parent
seeds = here / "seeds"
shutil.rmtree(seeds, ignore_errors=True)

def write(target, name, data):
    d = seeds / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())

# conference (seed 000): the client messages as documented, one per frame, and packed.
conference = [
    '{"type":"room","name":"connect","data":{"room":"name"}}',
    '{\n  "type": "conference",\n  "name": "join",\n  "data": {\n    "room": "name",\n    "name": "MyName",\n    "id": "MyClientId"\n  }\n}',
    '{"type":"conference","name":"leave","data":{"room":"name","id":"MyClientId"}}',
    '{"type":"signal","name":"sdp","data":{"room":"name","to":"RemotePeerId","id":"MyClientId"},"signal":{"desc":{"type":"offer","sdp":"v=0\\r\\no=- 2057321257886006919..."}}}',
    '{"type":"signal","name":"trickle","data":{"room":"name","candidate":"string","id":"ClientId"},"signal":{"ice":{"candidate":"candidate:1176663647 1 udp...","sdpMid":"0","sdpMLineIndex":0}}}',
    '{"type":"signal","method":"join","data":{"sid":"sid:string","uid":"uid:string","offer":"sdp:string"}}',
]
for i, m in enumerate(conference):
    write("conference_frame", f"doc-{i}", m)
write("conference_frame", "packed", "\n".join(conference[:3]) + "\nnot json\n" + conference[4])

# peerjs (seed 004): messages (selector 0) and the WebSocket query (selector 1).
peerjs = [
    '{"type":"HEARTBEAT"}',
    '{"type":"OFFER","payload":{"sdp":{"type":"offer","sdp":"..."},"type":"data","connectionId":"dc_mgqsb2hzkbe","label":"dc_mgqsb2hzkbe","reliable":false,"serialization":"binary"},"dst":"6481452f-2c1d-4bf3-91b3-58d3c92080f0"}',
    '{"type":"CANDIDATE","payload":{"candidate":{"candidate":"...","sdpMLineIndex":0,"sdpMid":"0","usernameFragment":"..."},"type":"data","connectionId":"dc_mgqsb2hzkbe"},"dst":"6481452f-2c1d-4bf3-91b3-58d3c92080f0"}',
    '{"type":"ANSWER","payload":{"sdp":{"type":"answer","sdp":"..."}},"dst":"peer-b"}',
    '{"type":"LEAVE","dst":"peer-b"}',
    '{"type":"LEAVE"}',
    '{"type":"EXPIRE","dst":"peer-b"}',
]
for i, m in enumerate(peerjs):
    write("peerjs", f"message-{i}", b"\x00" + m.encode())
for i, q in enumerate(["key=peerjs&id=6481452f-2c1d-4bf3-91b3-58d3c92080f0&token=abc123&version=1.5.4",
                       "key=peerjs&id=a%20b+c&token=t%C3%A9"]):
    write("peerjs", f"query-{i}", b"\x01" + q.encode())

# Engine.IO packets (docs/protocol/socketio.md): selector bit 0 = v4, bit 1 = binary frame.
open_v3 = '0{"sid":"n_0123456789abcdef0123456789abcdef","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}'
open_v4 = '0{"sid":"n_0123456789abcdef0123456789abcdef","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'
texts = ["2probe", "3probe", "5", "6", "1", "2", "3", '42["room-join","r1"]', "40", "b4AQIDBA=="]
for version in (0, 1):
    for i, t in enumerate(texts + [open_v3 if version == 0 else open_v4]):
        write("engineio_packet", f"v{3 + version}-text-{i}", bytes([version]) + t.encode())
write("engineio_packet", "v3-binary", bytes([2, 4, 1, 2, 3, 4]))
write("engineio_packet", "v4-binary", bytes([3, 1, 2, 3, 4]))
write("engineio_packet", "v4-text-b64", b"\x01bAQIDBA==")

# Engine.IO payloads: selector 0 = v3 text, 1 = v3 binary (XHR2), 2 = v4.
def v3(*packets):
    return "".join(f"{len(p.encode('utf-16-le')) // 2}:{p}" for p in packets)
write("engineio_payload", "v3-open", b"\x00" + v3(open_v3, "40").encode())
write("engineio_payload", "v3-events", b"\x00" + v3('42["room-create","r1"]', "2", "4€😀", "b4AQIDBA==").encode())
write("engineio_payload", "v3-empty", b"\x000:")
write("engineio_payload", "v3-xhr2", bytes([1, 0, 4, 0xFF, 0x34, 0xE2, 0x82, 0xAC, 1, 5, 0xFF, 4, 1, 2, 3, 4]))
write("engineio_payload", "v4-events", b"\x02" + '42["hello"]\x1e42["world"]\x1ebAQIDBA==\x1e3'.encode())
write("engineio_payload", "v4-open", b"\x02" + (open_v4 + "\x1e40").encode())

# Socket.IO packets (docs/protocol/socketio.md, rooms.md): selector 0 = protocol 4, 1 = 5.
sio = [
    '2["room-create","r1"]', '2["room-join","r1"]', '2["room-leave","r1"]',
    '2["signal-send","r1","peer-b",{"sdp":"v=0","type":"offer"}]', '27["room-join","r1"]',
    '37[]', '0', '0{"token":"x"}', '0/admin?token=1,', '1', '4/admin,"Invalid namespace"',
    '4/admin,{"message":"Invalid namespace"}', '51-["up",{"_placeholder":true,"num":0}]',
    '61-/admin,13[{"_placeholder":true,"num":0}]', '3/admin,13["bar"]', '2{}', '2[',
]
for version in (0, 1):
    for i, p in enumerate(sio):
        write("socketio_packet", f"p{4 + version}-{i}", bytes([version]) + p.encode())

# JWT: selector 0 = claims to sign, else a token as sent.
import base64, hmac, hashlib
def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
def hs256(claims, secret=b"fuzz-secret", header=None):
    head = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"
claims = {"sub": "alice", "exp": 1900000000, "nbf": 1700000000, "iat": 1700000000, "rooms": ["lobby", "team-42-*"]}
write("jwt", "claims", b"\x00" + json.dumps(claims).encode())
write("jwt", "claims-expired", b"\x00" + b'{"exp":1000}')
write("jwt", "token-hs256", b"\x01" + hs256(claims).encode())
write("jwt", "token-none", b"\x01" + hs256(claims, header={"alg": "none"}).rsplit(".", 1)[0].encode() + b".")
write("jwt", "token-rs256-header", b"\x01" + hs256(claims, header={"alg": "RS256"}).encode())
write("jwt", "token-es256-header", b"\x01" + hs256(claims, header={"alg": "ES256"}).encode())

# Guard inputs: selector 0 = origins, 1 = trusted proxies + X-Forwarded-For, 2 = room patterns.
write("guard_inputs", "origins", b"\x00https://app.example.com, https://*.example.com, http://[::1]:3000, null\nhttps://a.example.com")
write("guard_inputs", "origins-star", b"\x00*\nhttp://localhost:8080")
write("guard_inputs", "xff", b"\x0110.0.0.0/8, ::1/128, 203.0.113.7\n1.2.3.4, 10.0.0.2, [2001:db8::1]:443")
write("guard_inputs", "rooms", b"\x02team-42-*\nteam-42-a")
