'use strict';
// Connecting to an id that no peer holds: the server keeps the OFFER (and candidates) for
// expire_timeout, then answers EXPIRE, which the client surfaces as error 'peer-unavailable'.
// The Peer itself stays open.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const rig = require('../lib/rig.cjs');

after(rig.shutdown);

test(`connecting to an unknown id gives 'peer-unavailable' (${rig.describeConfig()})`, { timeout: 30000 }, async (t) => {
  const { expireTimeoutMs, stepTimeoutMs } = rig.config;
  const a = rig.makePeer(rig.randomId('lonely'), 'a');
  await rig.waitOpen(a);

  const unknown = rig.randomId('nobody');
  const started = Date.now();
  const conn = a.connect(unknown, { serialization: 'json' });
  let opened = false;
  conn.on('open', () => {
    opened = true;
  });
  const err = await rig.waitForError(a, 'peer-unavailable', expireTimeoutMs + stepTimeoutMs,
    "'peer-unavailable' for the unknown id");
  const elapsed = Date.now() - started;
  assert.match(err.message, new RegExp(`Could not connect to peer ${unknown}`));
  // Not before the server's expire timeout (small allowance for clock granularity).
  assert.ok(elapsed >= expireTimeoutMs - 50,
    `'peer-unavailable' after ${elapsed} ms, before the expire timeout of ${expireTimeoutMs} ms`);
  assert.equal(opened, false, 'the DataConnection never opened');

  // An EXPIRE is not fatal: the Peer is still open on the server and can be reached.
  await rig.delay(200);
  assert.equal(a.open, true);
  assert.equal(a.disconnected, false);
  assert.equal(a.destroyed, false);
  const other = rig.makePeer(rig.randomId('other'), 'b');
  await rig.waitOpen(other);
  const incoming = rig.waitFor(a, 'connection', stepTimeoutMs, 'A to receive a connection', ['error']);
  const c2 = other.connect(a.id, { serialization: 'json' });
  const [aConn] = await incoming;
  await Promise.all([
    rig.waitFor(c2, 'open', stepTimeoutMs, 'caller side to open', ['error', 'close']),
    rig.waitFor(aConn, 'open', stepTimeoutMs, 'A side to open', ['error', 'close']),
  ]);
  t.diagnostic(`peer-unavailable after ${elapsed} ms (expire_timeout ${expireTimeoutMs} ms)`);
});
