// The processes the browser tests start: Redis, switchboard nodes and headless Chromium,
// all on 127.0.0.1 (the tests run in a loopback-only network namespace; see ../run), and
// every one of them killed when the test process ends.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer from 'puppeteer-core';

/** The switchboard binary under test (../run sets it). */
export const BIN = process.env.SWITCHBOARD_BIN;
/** The browser: Debian's chromium, or CHROMIUM. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Chromium's flags for the tests:
 *   --no-sandbox                          the tests run as root, where the sandbox refuses to start
 *   --use-fake-device-for-media-stream    a synthetic camera and microphone (no hardware)
 *   --use-fake-ui-for-media-stream        getUserMedia is granted without a prompt
 *   --allow-loopback-in-peer-connection   ICE may use 127.0.0.1: in a namespace with only the
 *                                         loopback, Chromium otherwise gathers no candidate at all
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

const children = new Set();
function killAll() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function start(command, args, label) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const log = [];
  const keep = (chunk) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', () => children.delete(child));
  child.log = () => `--- ${label} ---\n${log.join('')}`;
  return child;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` (async; returns a truthy value when done) every 100 ms, for at most `ms`. */
export async function until(what, ms, check) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

export async function startRedis() {
  const port = await freePort();
  const child = start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    'redis',
  );
  await until('redis to listen', 10_000, () => connects(port));
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => child.kill('SIGKILL') };
}

function connects(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A switchboard node; with `redis`, a cluster node. Resolves once /readyz says ready. */
export async function startNode(id, redis, port) {
  if (!BIN) throw new Error('SWITCHBOARD_BIN is not set (run the tests with tests/browser/run)');
  port ??= await freePort();
  const args = ['--listen', `127.0.0.1:${port}`, '--node-id', id];
  if (redis) args.push('--redis-url', redis.url, '--cluster-heartbeat', '500ms', '--cluster-lease', '2s');
  const child = start(BIN, args, `node ${id}`);
  const base = `http://127.0.0.1:${port}`;
  const node = {
    id,
    base,
    child,
    stop: () => child.kill('SIGKILL'),
    log: () => child.log(),
    /** Kills the node (SIGKILL: no drain, no close frames) and starts it again on its port. */
    restart: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      return startNode(id, redis, port);
    },
  };
  await until(`node ${id} to be ready`, 15_000, async () => {
    if (child.exitCode !== null) throw new Error(`node ${id} exited:\n${child.log()}`);
    const response = await fetch(`${base}/readyz`);
    return response.status === 200 ? await response.json() : null;
  });
  return node;
}

/** Waits until every node's /readyz lists all of `nodes`. */
export async function clusterFormed(nodes) {
  const want = nodes.map((node) => node.id).sort().join(',');
  for (const node of nodes) {
    await until(`${node.id} to see ${want}`, 15_000, async () => {
      const body = await (await fetch(`${node.base}/readyz`)).json();
      return [...(body.nodes ?? [])].sort().join(',') === want;
    });
  }
}

/**
 * nginx in front of `nodes`, round-robin without stickiness, with the end-to-end tests'
 * configuration (deploy/nginx/test.conf.template, which mirrors deploy/nginx/nginx.conf).
 */
export async function startNginx(nodes) {
  const template = await readFile(new URL('../../../deploy/nginx/test.conf.template', import.meta.url), 'utf8');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-nginx-'));
  const port = await freePort();
  const bin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  // Temp paths of the modules this nginx was built with (as tests/e2e/cluster/harness/nginx.rs).
  const built = spawnSync(bin, ['-V'], { encoding: 'utf8' }).stderr ?? '';
  const more = ['fastcgi', 'uwsgi', 'scgi']
    .filter((module) => !built.includes(`--without-http_${module}_module`))
    .map((module) => `    ${module}_temp_path ${dir}/${module};`)
    .join('\n');
  const servers = nodes
    .map((node) => `        server ${new URL(node.base).host} max_fails=3 fail_timeout=10s;`)
    .join('\n');
  const config = template
    .replaceAll('@DIR@', dir)
    .replace('@LISTEN@', `127.0.0.1:${port}`)
    .replace('@SERVERS@', servers)
    .replace('@MORE_TEMP_PATHS@', more);
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, config);
  const child = start(bin, ['-c', file, '-p', dir], 'nginx');
  const base = `http://127.0.0.1:${port}`;
  await until('nginx to serve /healthz', 10_000, async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited:\n${child.log()}`);
    return (await fetch(`${base}/healthz`)).status === 200;
  });
  return { id: 'nginx', base, stop: () => child.kill('SIGKILL') };
}

export async function launchBrowser() {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    // Chromium's own output would drown the test report; its errors come back over CDP.
    dumpio: false,
    protocolTimeout: 60_000,
  });
}

/** Opens the demo page of `node` in a new tab, as `name` in `room`; waits for its id. */
export async function openDemo(browser, node, room, name, viewport = { width: 800, height: 520 }) {
  const page = await browser.newPage();
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') page.problems.push(`${message.type()}: ${message.text()}`);
  });
  await page.setViewport(viewport);
  const url = `${node.base}/demo/?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
  await page.goto(url, { waitUntil: 'load' });
  page.demoId = await waitDemo(page, 15_000, 'its id from connectResponse', () => window.demo.id);
  return page;
}

/** Waits until `fn` (run in the page, with `arg`) returns something truthy; returns it. */
export async function waitDemo(page, timeout, what, fn, arg) {
  try {
    const handle = await page.waitForFunction(fn, { timeout, polling: 100 }, arg);
    return await handle.jsonValue();
  } catch (err) {
    const demo = await page.evaluate(() => JSON.stringify(window.demo)).catch(() => '?');
    const status = await page.$eval('#status', (el) => el.textContent).catch(() => '?');
    throw new Error(
      `${what}: ${err.message}\nwindow.demo = ${demo}\nstatus: ${status}\nconsole: ${page.problems.join('\n')}`,
    );
  }
}

export function demo(page) {
  return page.evaluate(() => window.demo);
}
