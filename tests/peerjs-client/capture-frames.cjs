'use strict';
// Raw `ws` client that records, verbatim, what a PeerJS server sends in the cases the peerjs
// client tests rely on (OPEN, ID-TAKEN, ERROR, EXPIRE, relaying, queued delivery, HEARTBEAT,
// same-token reconnect, alive timeout), plus the HTTP id endpoint. Prints a transcript; it
// asserts nothing. Same environment as the tests (PEERJS_HOST, PEERJS_PORT, PEERJS_PATH,
// PEERJS_KEY, PEERJS_EXPIRE_TIMEOUT_MS, PEERJS_ALIVE_TIMEOUT_MS). Bounded: about 10 s with the
// short timeouts, and a watchdog.

const WebSocket = require('ws');

const host = process.env.PEERJS_HOST || '127.0.0.1';
const port = Number(process.env.PEERJS_PORT || 9000);
let path = process.env.PEERJS_PATH || '/';
if (!path.startsWith('/')) path = '/' + path;
if (!path.endsWith('/')) path += '/';
const key = process.env.PEERJS_KEY || 'peerjs';
const expireMs = Number(process.env.PEERJS_EXPIRE_TIMEOUT_MS || 1000);
const aliveMs = Number(process.env.PEERJS_ALIVE_TIMEOUT_MS || 3000);

const watchdog = setTimeout(() => {
  console.error('capture-frames: watchdog fired');
  process.exit(2);
}, 30000 + 2 * (expireMs + aliveMs));

const t0 = Date.now();
const stamp = () => `+${String(Date.now() - t0).padStart(5)} ms`;
const uniq = () => Math.random().toString(36).slice(2, 10);

function url(params) {
  const q = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `ws://${host}:${port}${path}peerjs?${q}`;
}

const heartbeats = new Set();
const beat = setInterval(() => {
  for (const ws of heartbeats) if (ws.readyState === 1) ws.send(JSON.stringify({ type: 'HEARTBEAT' }));
}, Math.max(100, Math.floor(aliveMs / 3)));

/**
 * Open a raw socket and log everything it receives, and how it closes. Unless `silent`, it
 * sends HEARTBEAT every alive_timeout / 3 (not logged), as the peerjs client does.
 */
function open(label, params, { silent = false } = {}) {
  const ws = new WebSocket(url(params));
  if (!silent) heartbeats.add(ws);
  ws.frames = [];
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? `<binary ${data.length} bytes>` : data.toString();
    ws.frames.push(text);
    console.log(`${stamp()} ${label} <= ${text}`);
  });
  ws.on('close', (code, reason) => {
    ws.closedWith = { code, reason: reason.toString() };
    heartbeats.delete(ws);
    if (ws.closedByUs) return;
    console.log(`${stamp()} ${label} closed by server: code=${code} reason=${JSON.stringify(reason.toString())}`);
  });
  ws.on('error', (err) => console.log(`${stamp()} ${label} socket error: ${err.message}`));
  ws.opened = new Promise((resolve) => ws.once('open', resolve));
  return ws;
}

function send(label, ws, msg) {
  const text = typeof msg === 'string' ? msg : JSON.stringify(msg);
  console.log(`${stamp()} ${label} => ${text}`);
  ws.send(text);
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const closeAll = (...sockets) => sockets.forEach((s) => {
  if (s.readyState > 1) return;
  s.closedByUs = true;
  s.close();
});

async function main() {
  console.log(`PeerJS server ws://${host}:${port}${path}peerjs key=${key} (expire ${expireMs} ms, alive ${aliveMs} ms)\n`);

  console.log('## HTTP');
  for (const p of ['', `${key}/id`, `${key}/peers`]) {
    const res = await fetch(`http://${host}:${port}${path}${p}`, { signal: AbortSignal.timeout(3000) });
    console.log(`GET ${path}${p} -> ${res.status} ${res.headers.get('content-type')} ${JSON.stringify(await res.text())}`);
  }

  console.log('\n## OPEN, then HEARTBEAT (no reply expected)');
  const idA = `A${uniq()}`;
  const a = open('A', { key, id: idA, token: 'tokA' });
  await delay(300);
  send('A', a, { type: 'HEARTBEAT' });
  await delay(300);

  console.log('\n## ID-TAKEN: same id, different token');
  const a2 = open('A(other token)', { key, id: idA, token: 'tokOTHER' });
  await delay(400);

  console.log('\n## ERROR: wrong key; missing token');
  open('badkey', { key: 'wrong-key', id: `K${uniq()}`, token: 't' });
  open('notoken', { key, id: `N${uniq()}` });
  await delay(400);

  console.log('\n## Relay: A -> B (OFFER), B -> A (ANSWER, CANDIDATE); the server sets src');
  const idB = `B${uniq()}`;
  const b = open('B', { key, id: idB, token: 'tokB' });
  await delay(300);
  send('A', a, { type: 'OFFER', dst: idB, src: 'spoofed', payload: { sdp: { type: 'offer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_1' } });
  await delay(200);
  send('B', b, { type: 'ANSWER', dst: idA, payload: { sdp: { type: 'answer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_1' } });
  send('B', b, { type: 'CANDIDATE', dst: idA, payload: { candidate: { candidate: 'candidate:1 1 UDP 1 127.0.0.1 9 typ host', sdpMid: '0' }, type: 'data', connectionId: 'dc_1' } });
  send('B', b, { type: 'NOT-A-TYPE', dst: idA, payload: {} });
  await delay(300);

  console.log('\n## Queued delivery: OFFER to an id that connects later (within expire_timeout)');
  const idC = `C${uniq()}`;
  send('A', a, { type: 'OFFER', dst: idC, payload: { connectionId: 'dc_2' } });
  await delay(Math.min(300, expireMs / 3));
  const c = open('C', { key, id: idC, token: 'tokC' });
  await delay(300);

  console.log(`\n## EXPIRE: OFFER + CANDIDATE to an unknown id; wait > expire_timeout (${expireMs} ms)`);
  const sentAt = Date.now();
  send('A', a, { type: 'OFFER', dst: 'nobody-here', payload: { connectionId: 'dc_3' } });
  send('A', a, { type: 'CANDIDATE', dst: 'nobody-here', payload: { connectionId: 'dc_3' } });
  const before = a.frames.length;
  while (a.frames.length === before && Date.now() - sentAt < expireMs + 3000) await delay(20);
  console.log(`(EXPIRE ${a.frames.length > before ? `after ${Date.now() - sentAt} ms` : 'not received'})`);
  await delay(1200);

  console.log('\n## Same id, same token while connected (reconnect)');
  const a3 = open('A(same token)', { key, id: idA, token: 'tokA' });
  await delay(300);
  send('B', b, { type: 'CANDIDATE', dst: idA, payload: { connectionId: 'dc_4' } });
  await delay(300);

  console.log('\n## LEAVE from B (with dst A); then LEAVE with no dst from C (the server drops C)');
  send('B', b, { type: 'LEAVE', dst: idA });
  await delay(200);
  send('C', c, { type: 'LEAVE' });
  await delay(200);
  send('B', b, { type: 'OFFER', dst: idC, payload: { connectionId: 'dc_5' } });
  await delay(300);

  console.log(`\n## Alive timeout: D sends no HEARTBEAT; wait > alive_timeout (${aliveMs} ms)`);
  const idD = `D${uniq()}`;
  const d = open('D', { key, id: idD, token: 'tokD' }, { silent: true });
  await d.opened;
  const openedAt = Date.now();
  while (!d.closedWith && Date.now() - openedAt < aliveMs + 3000) await delay(20);
  console.log(`(D ${d.closedWith ? `closed after ${Date.now() - openedAt} ms` : 'still open'})`);
  const d2 = open('D(new token)', { key, id: idD, token: 'tokD2' });
  await delay(300);

  console.log('\n## Not JSON from G, then OFFER and HEARTBEATs from G (is G still served?)');
  const idG = `G${uniq()}`;
  const g = open('G', { key, id: idG, token: 'tokG' });
  await g.opened;
  await delay(200);
  send('G', g, 'this is not json');
  await delay(100);
  send('G', g, { type: 'OFFER', dst: idD, payload: { connectionId: 'dc_6' } });
  const gAt = Date.now();
  while (!g.closedWith && Date.now() - gAt < aliveMs + 2000) await delay(20);
  console.log(`(G ${g.closedWith ? `closed by the server ${Date.now() - gAt} ms after the bad frame, despite its HEARTBEATs` : 'still open'})`);

  closeAll(a, a2, a3, b, c, d, d2, g);
  await delay(200);
}

main()
  .then(() => {
    clearTimeout(watchdog);
    clearInterval(beat);
    process.exit(0);
  })
  .catch((err) => {
    console.error('capture-frames failed:', err);
    process.exit(1);
  });
