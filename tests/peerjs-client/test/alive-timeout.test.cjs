'use strict';
// A peer that stops sending HEARTBEAT is dropped after the server's alive_timeout, and its id is
// free again: a new Peer with the same id (and a new token) gets OPEN and can be reached.
// The silent client is the stock peerjs client with pingInterval set far beyond the test; a
// control peer with a short pingInterval must stay connected over the same period.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const rig = require('../lib/rig.cjs');

after(rig.shutdown);

test(`a peer without heartbeats is dropped after alive_timeout and its id is freed (${rig.describeConfig()})`, { timeout: 60000 }, async (t) => {
  const { aliveTimeoutMs, stepTimeoutMs } = rig.config;
  const id = rig.randomId('silent');
  const silent = rig.makePeer(id, 'a', { pingInterval: 3600 * 1000 });
  const control = rig.makePeer(rig.randomId('control'), 'a');
  let openedAt = 0;
  silent.once('open', () => {
    openedAt = Date.now();
  });
  await Promise.all([rig.waitOpen(silent), rig.waitOpen(control)]);

  // While the silent peer is alive, its id is held.
  const early = rig.makePeer(id, 'b');
  await rig.waitForError(early, 'unavailable-id', stepTimeoutMs, "'unavailable-id' while the silent peer is alive");

  // The server closes the silent peer's socket: peerjs reports 'disconnected' (and a 'network' error).
  await rig.waitFor(silent, 'disconnected', aliveTimeoutMs + stepTimeoutMs, 'the server to drop the silent peer');
  const droppedAfter = Date.now() - openedAt;
  assert.ok(droppedAfter >= aliveTimeoutMs - 100,
    `dropped after ${droppedAfter} ms, before the alive timeout of ${aliveTimeoutMs} ms`);
  assert.ok(silent.errors.some((e) => e.type === 'network'), "the silent peer saw a 'network' error");

  // The control peer, sending HEARTBEAT every pingInterval, is still connected.
  assert.equal(control.disconnected, false, 'the control peer (with heartbeats) was dropped too');
  assert.deepEqual(control.errors.map((e) => e.type), [], 'the control peer saw no error');

  // The id is free: a new Peer with the same id and a new token gets OPEN, on node B.
  const successor = rig.makePeer(id, 'b');
  assert.notEqual(successor.options.token, silent.options.token);
  await rig.waitOpen(successor, 'OPEN for the new holder of the freed id');

  // Signaling for that id now reaches the new holder.
  const incoming = rig.waitFor(successor, 'connection', stepTimeoutMs, 'the new holder to receive a connection', ['error']);
  const conn = control.connect(id, { serialization: 'json' });
  const [sConn] = await incoming;
  await Promise.all([
    rig.waitFor(conn, 'open', stepTimeoutMs, 'control side to open', ['error', 'close']),
    rig.waitFor(sConn, 'open', stepTimeoutMs, 'new holder side to open', ['error', 'close']),
  ]);
  const got = rig.waitFor(sConn, 'data', stepTimeoutMs, 'message at the new holder');
  conn.send('to the new holder');
  assert.deepEqual((await got)[0], 'to the new holder');
  t.diagnostic(`silent peer dropped after ${droppedAfter} ms (alive_timeout ${aliveTimeoutMs} ms)`);
});
