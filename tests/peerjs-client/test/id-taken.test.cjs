'use strict';
// ID-TAKEN: a second Peer asking for an id that a live peer holds (the second Peer has its own
// random token) gets error type 'unavailable-id' and is destroyed; the holder is untouched.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const rig = require('../lib/rig.cjs');

after(rig.shutdown);

test(`a second Peer with a held id gets 'unavailable-id' (${rig.describeConfig()})`, { timeout: 30000 }, async () => {
  const step = rig.config.stepTimeoutMs;
  const id = rig.randomId('taken');
  const holder = rig.makePeer(id, 'a');
  await rig.waitOpen(holder, 'OPEN for the first holder of the id');

  const intruder = rig.makePeer(id, 'b');
  assert.notEqual(intruder.options.token, holder.options.token, 'each Peer has its own token');
  let intruderOpened = false;
  intruder.on('open', () => {
    intruderOpened = true;
  });
  const err = await rig.waitForError(intruder, 'unavailable-id', step, "'unavailable-id' on the second Peer");
  assert.match(err.message, /is taken/);
  assert.equal(intruderOpened, false, 'the second Peer never got OPEN');
  // With no OPEN ever received, peerjs destroys the Peer on this error.
  await rig.delay(100);
  assert.equal(intruder.destroyed, true, 'the second Peer is destroyed');

  // The holder keeps its id and its connection to the server.
  assert.equal(holder.open, true);
  assert.equal(holder.disconnected, false);
  assert.deepEqual(holder.errors.map((e) => e.type), [], 'the holder saw no error');

  // And it can still be reached: a third peer connects to it.
  const caller = rig.makePeer(rig.randomId('caller'), 'b');
  await rig.waitOpen(caller);
  const incoming = rig.waitFor(holder, 'connection', step, 'the holder to receive a connection', ['error']);
  const conn = caller.connect(id, { serialization: 'json' });
  const [hConn] = await incoming;
  await Promise.all([
    rig.waitFor(conn, 'open', step, 'caller side to open', ['error', 'close']),
    rig.waitFor(hConn, 'open', step, 'holder side to open', ['error', 'close']),
  ]);
  const got = rig.waitFor(hConn, 'data', step, 'message at the holder');
  conn.send({ still: 'here' });
  assert.deepEqual((await got)[0], { still: 'here' });
});
