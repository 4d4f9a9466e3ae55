// The demo page (/demo/) in headless Chromium: real WebRTC between tabs whose signals go
// through Switchboard, on one node and across a two-node Redis cluster. For each topology:
//   1. two tabs join a room: both peer connections reach `connected`, each tab decodes the
//      other's video (framesDecoded > 0 and rising), a chat line goes each way;
//   2. a third tab joins: all three pairs connect; then it closes and the other two drop its
//      tile and its window.demo.peers entry within 10 s.
// Then two tabs through nginx (round-robin, no stickiness) in front of two nodes, on different
// nodes; and two tabs whose node is killed and restarted: they reconnect, rejoin, meet again.
// And a screenshot of two tabs that joined at the same moment and connected (written to
// docs/demo.png with UPDATE_SCREENSHOT=1; to a temporary file otherwise, so that a test run
// leaves the tree clean).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clusterFormed,
  demo,
  launchBrowser,
  openDemo,
  startNginx,
  startNode,
  startRedis,
  waitDemo,
} from '../lib/rig.mjs';

const CONNECT_TIMEOUT = 30_000;
const VIDEO_TIMEOUT = 20_000;
/** Each tab of the screenshot. */
const SHOT = { width: 800, height: 360 };

/** Waits until `page` holds a `connected` connection to each of `others`, with a tile each. */
async function connectedTo(page, others) {
  await waitDemo(
    page,
    CONNECT_TIMEOUT,
    `${page.demoName} connected to ${others.map((o) => o.demoName)}`,
    (ids) =>
      Object.keys(window.demo.peers).length === ids.length &&
      ids.every(
        (id) =>
          window.demo.peers[id]?.state === 'connected' &&
          document.querySelectorAll(`video[data-peer-id="${id}"]`).length === 1,
      ),
    others.map((o) => o.demoId),
  );
  const peers = (await demo(page)).peers;
  assert.deepEqual(Object.keys(peers).sort(), others.map((o) => o.demoId).sort(), `${page.demoName}'s peers`);
  for (const other of others) assert.equal(peers[other.demoId].name, other.demoName);
}

/** Waits until `page` decodes `from`'s video: framesDecoded above 0, then above that. */
async function decodes(page, from) {
  const what = `${page.demoName} decoding ${from.demoName}'s video`;
  const first = await waitDemo(page, VIDEO_TIMEOUT, what, (id) => window.demo.peers[id]?.framesDecoded, from.demoId);
  assert.ok(first > 0);
  const later = await waitDemo(
    page,
    VIDEO_TIMEOUT,
    `${what} (rising past ${first})`,
    ([id, n]) => window.demo.peers[id]?.framesDecoded > n && window.demo.peers[id].framesDecoded,
    [from.demoId, first],
  );
  assert.ok(later > first);
}

/** `from` types `text` and clicks Send; `to` gets it from `from`, and `from` keeps it too. */
async function chat(from, to, text) {
  // Input goes to the tab in front (a background tab renders no frames, and a click waits
  // for one).
  await from.bringToFront();
  await from.$eval('#chat-input', (input) => (input.value = ''));
  await from.type('#chat-input', text);
  await from.click('#chat-send');
  const message = { from: from.demoId, text };
  await waitDemo(
    to,
    10_000,
    `${to.demoName} receiving "${text}" from ${from.demoName}`,
    ([id, m]) => window.demo.peers[id]?.chat.some((c) => c.from === m.from && c.text === m.text),
    [from.demoId, message],
  );
  const mine = (await demo(from)).peers[to.demoId].chat;
  assert.ok(
    mine.some((c) => c.from === message.from && c.text === message.text),
    `${from.demoName} keeps its own message: ${JSON.stringify(mine)}`,
  );
}

async function open(browser, node, room, name, viewport) {
  const page = await openDemo(browser, node, room, name, viewport);
  page.demoName = name;
  const state = await demo(page);
  assert.equal(state.node, node.id, `${name}'s window.demo.node names the node its socket is on`);
  assert.equal(state.room, room);
  return page;
}

/**
 * The meeting of one topology; `nodes()` gives the node of A, B and C. The tests of a
 * topology run in order and share the tabs.
 */
function meeting(title, setUp) {
  describe(title, () => {
    const room = `room-${Math.random().toString(36).slice(2, 8)}`;
    let env;
    let browser;
    let a;
    let b;
    let c;
    before(async () => {
      env = await setUp();
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      env?.stop();
    });

    test('two tabs connect, see each other and chat', async () => {
      const [na, nb] = env.nodes;
      a = await open(browser, na, room, 'A');
      b = await open(browser, nb, room, 'B');
      await connectedTo(a, [b]);
      await connectedTo(b, [a]);
      await decodes(a, b);
      await decodes(b, a);
      await chat(a, b, 'hello from A');
      await chat(b, a, 'hello from B');
      const chatOfA = (await demo(a)).peers[b.demoId].chat;
      assert.deepEqual(chatOfA, [
        { from: a.demoId, text: 'hello from A' },
        { from: b.demoId, text: 'hello from B' },
      ]);
    });

    test('a third tab connects to both; when it closes, the others drop it within 10 s', async () => {
      assert.ok(a && b, 'the first test left two tabs');
      c = await open(browser, env.nodes[2], room, 'C');
      await connectedTo(c, [a, b]);
      await connectedTo(a, [b, c]);
      await connectedTo(b, [a, c]);
      await decodes(c, a);
      await decodes(a, c);
      await chat(c, b, 'hello from C');

      const gone = c.demoId;
      await c.close();
      // Both 10 s counted from the close.
      await Promise.all(
        [a, b].map((page) =>
          waitDemo(
            page,
            10_000,
            `${page.demoName} dropping C within 10 s`,
            (id) => !(id in window.demo.peers) && !document.querySelector(`video[data-peer-id="${id}"]`),
            gone,
          ),
        ),
      );
      // The others stay connected.
      assert.equal((await demo(a)).peers[b.demoId].state, 'connected');
      assert.equal((await demo(b)).peers[a.demoId].state, 'connected');
    });
  });
}

meeting('one node', async () => {
  const node = await startNode('solo');
  return { nodes: [node, node, node], stop: () => node.stop() };
});

meeting('a two-node cluster: A and C on n1, B on n2', async () => {
  const redis = await startRedis();
  const n1 = await startNode('n1', redis);
  const n2 = await startNode('n2', redis);
  await clusterFormed([n1, n2]);
  return {
    nodes: [n1, n2, n1],
    stop: () => {
      n1.stop();
      n2.stop();
      redis.stop();
    },
  };
});

describe('behind nginx', () => {
  test('tabs that the load balancer put on different nodes connect, see each other and chat', async () => {
    const redis = await startRedis();
    const nodes = [await startNode('lb-n1', redis), await startNode('lb-n2', redis)];
    await clusterFormed(nodes);
    const lb = await startNginx(nodes);
    const browser = await launchBrowser();
    try {
      const room = 'through-the-balancer';
      const ids = nodes.map((node) => node.id);
      const a = await openDemo(browser, lb, room, 'A');
      a.demoName = 'A';
      const nodeOfA = (await demo(a)).node;
      assert.ok(ids.includes(nodeOfA), `A's node ${nodeOfA} is one of ${ids}`);
      // Round-robin without stickiness: a few tries put B's socket on the other node (an
      // extra request between tries shifts the rotation).
      let b = null;
      for (let tries = 0; tries < 8 && !b; tries += 1) {
        const page = await openDemo(browser, lb, room, 'B');
        if ((await demo(page)).node !== nodeOfA) {
          b = page;
        } else {
          await page.close();
          await fetch(`${lb.base}/healthz`);
        }
      }
      assert.ok(b, 'no B landed on the other node in 8 tries');
      b.demoName = 'B';
      assert.ok(ids.includes((await demo(b)).node));
      await connectedTo(a, [b]);
      await connectedTo(b, [a]);
      await decodes(a, b);
      await decodes(b, a);
      await chat(a, b, 'across the balancer');
      await chat(b, a, 'and back');
    } finally {
      await browser.close();
      lb.stop();
      for (const node of nodes) node.stop();
      redis.stop();
    }
  });
});

describe('reconnection', () => {
  test('tabs whose node dies rejoin when it is back, under new ids, and connect again', async () => {
    let node = await startNode('phoenix');
    const browser = await launchBrowser();
    try {
      const room = 'again';
      const a = await open(browser, node, room, 'A');
      const b = await open(browser, node, room, 'B');
      await connectedTo(a, [b]);
      await connectedTo(b, [a]);
      const before = [a.demoId, b.demoId];

      node = await node.restart();
      // A new socket is a new id: each tab drops the other's old one and meets the new one.
      for (const page of [a, b]) {
        page.demoId = await waitDemo(
          page,
          CONNECT_TIMEOUT,
          `${page.demoName} rejoining under a new id`,
          (old) => window.demo.id && !old.includes(window.demo.id) && window.demo.id,
          before,
        );
      }
      await connectedTo(a, [b]);
      await connectedTo(b, [a]);
      await decodes(a, b);
      await decodes(b, a);
      await chat(a, b, 'back again');
      assert.equal((await demo(b)).node, node.id);
    } finally {
      await browser.close();
      node.stop();
    }
  });
});

describe('screenshot', () => {
  test('two connected tabs, side by side', async () => {
    const node = await startNode('demo-node');
    const browser = await launchBrowser();
    try {
      const room = 'standup';
      // Both at once: they join the room at the same moment.
      const [alice, bob] = await Promise.all([
        open(browser, node, room, 'Alice', SHOT),
        open(browser, node, room, 'Bob', SHOT),
      ]);
      await connectedTo(alice, [bob]);
      await connectedTo(bob, [alice]);
      await decodes(alice, bob);
      await decodes(bob, alice);
      await chat(alice, bob, 'Hi Bob! Can you see me?');
      await chat(bob, alice, 'Loud and clear, peer to peer.');
      const shots = [];
      for (const page of [alice, bob]) {
        await page.bringToFront();
        shots.push((await page.screenshot({ encoding: 'base64' })).toString());
      }
      // Both tabs in one picture: a page of the two screenshots, screenshotted.
      const sheet = await browser.newPage();
      await sheet.setViewport({ width: 2 * SHOT.width + 20, height: SHOT.height + 20 });
      await sheet.setContent(
        `<body style="margin:0;background:#444;display:flex;gap:20px;padding:10px">${shots
          .map((png) => `<img src="data:image/png;base64,${png}" width="${SHOT.width}" height="${SHOT.height}">`)
          .join('')}</body>`,
      );
      const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-demo-'));
      const file = path.join(dir, 'demo.png');
      await writeFile(file, await sheet.screenshot());
      if (process.env.UPDATE_SCREENSHOT === '1') {
        const target = fileURLToPath(new URL('../../../docs/demo.png', import.meta.url));
        await copyFile(file, target);
        console.log(`wrote ${target}`);
      } else {
        console.log(`screenshot at ${file} (UPDATE_SCREENSHOT=1 writes docs/demo.png)`);
      }
    } finally {
      await browser.close();
      node.stop();
    }
  });
});
