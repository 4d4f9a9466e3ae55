'use strict';
// Two stock peerjs clients (A on node A, B on node B) open a real WebRTC DataConnection through
// the server's signaling (OFFER / ANSWER / CANDIDATE) and exchange messages both ways,
// with serialization 'json' and with the default ('binary', BinaryPack).

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const rig = require('../lib/rig.cjs');

after(rig.shutdown);

/** Collect `count` 'data' events of a DataConnection, in order, bounded in time. */
function collect(conn, count, ms, what) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => {
      conn.off('data', onData);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}: got ${got.length}/${count}`));
    }, ms);
    const onData = (d) => {
      got.push(d);
      if (got.length === count) {
        clearTimeout(timer);
        conn.off('data', onData);
        resolve(got);
      }
    };
    conn.on('data', onData);
  });
}

async function exchange(serialization) {
  const step = rig.config.stepTimeoutMs;
  const a = rig.makePeer(rig.randomId('a'), 'a');
  const b = rig.makePeer(rig.randomId('b'), 'b');
  await Promise.all([rig.waitOpen(a), rig.waitOpen(b)]);

  const incoming = rig.waitFor(b, 'connection', step, 'B to receive the connection (OFFER relayed)', ['error']);
  const metadata = { test: 'dataconnection', serialization: serialization || 'default' };
  const conn = serialization ? a.connect(b.id, { serialization, metadata }) : a.connect(b.id, { metadata });
  assert.ok(conn, 'peer.connect returned no DataConnection');
  const aOpen = rig.waitFor(conn, 'open', step, 'A side of the DataConnection to open', ['error', 'close']);

  const [bConn] = await incoming;
  assert.equal(bConn.peer, a.id, 'B sees the connection coming from A');
  assert.deepEqual(bConn.metadata, metadata, 'metadata carried in the OFFER');
  assert.equal(bConn.serialization, conn.serialization, 'both sides use the same serialization');
  assert.equal(bConn.connectionId, conn.connectionId);
  const bOpen = rig.waitFor(bConn, 'open', step, 'B side of the DataConnection to open', ['error', 'close']);
  await Promise.all([aOpen, bOpen]);
  // Both directions of CANDIDATE were relayed (counted by the rig's RTCPeerConnection).
  assert.ok(conn.peerConnection.rigStats.remoteCandidates >= 1, 'A received no CANDIDATE from B');
  assert.ok(bConn.peerConnection.rigStats.remoteCandidates >= 1, 'B received no CANDIDATE from A');

  const fromA = [
    'hello from A',
    { n: 1, nested: { list: [1, 'two', null, true] }, text: 'unicode ✓ ü' },
    42,
  ];
  const fromB = [{ reply: 'hello from B' }, ['array', 2, { x: 3.5 }]];
  if (conn.serialization === 'binary') {
    // BinaryPack carries raw binary; JSON cannot.
    fromA.push(new Uint8Array([0, 1, 2, 253, 254, 255]).buffer);
    fromB.push(new Uint8Array([9, 8, 7]).buffer);
  }
  const atB = collect(bConn, fromA.length, step, 'messages from A at B');
  const atA = collect(conn, fromB.length, step, 'messages from B at A');
  for (const m of fromA) conn.send(m);
  for (const m of fromB) bConn.send(m);
  const [gotAtB, gotAtA] = await Promise.all([atB, atA]);

  const norm = (v) => (v instanceof ArrayBuffer ? { bytes: [...new Uint8Array(v)] } : v);
  assert.deepEqual(gotAtB.map(norm), fromA.map(norm), 'A -> B messages arrive intact and in order');
  assert.deepEqual(gotAtA.map(norm), fromB.map(norm), 'B -> A messages arrive intact and in order');

  // A round trip after the burst: B echoes what it gets.
  bConn.on('data', (d) => bConn.send({ echo: d }));
  const echoed = rig.waitFor(conn, 'data', step, 'echo from B');
  conn.send('ping');
  const [echo] = await echoed;
  assert.deepEqual(echo, { echo: 'ping' });

  // Closing on A is seen on B.
  const bClosed = rig.waitFor(bConn, 'close', step, 'B side to see the close');
  conn.close();
  await bClosed;
  a.destroy();
  b.destroy();
}

test(`DataConnection, serialization 'json' (${rig.describeConfig()})`, { timeout: 60000 }, async () => {
  await exchange('json');
});

test(`DataConnection, default serialization ('binary') (${rig.describeConfig()})`, { timeout: 60000 }, async () => {
  await exchange(undefined);
});
