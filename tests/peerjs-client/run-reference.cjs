'use strict';
// Runs the tests against the reference PeerJS server (the `peer` package): starts it on a free
// loopback port with short timeouts, runs `node --test` (or, with --frames, capture-frames.cjs)
// with PEERJS_* pointing at it, stops it, and exits with the tests' status. Bounded in time.

const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const EXPIRE_MS = 1000;
const ALIVE_MS = 3000;
const RUN_LIMIT_MS = 240000;
const here = __dirname;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startServer(port) {
  const bin = path.join(here, 'node_modules', 'peer', 'dist', 'bin', 'peerjs.js');
  const server = spawn(process.execPath, [bin, '--host', '127.0.0.1', '--port', String(port),
    '--expire_timeout', String(EXPIRE_MS), '--alive_timeout', String(ALIVE_MS)], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.log = '';
  const onData = (d) => {
    server.log += d.toString();
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reference server did not start:\n${server.log}`)), 10000);
    const check = () => {
      if (server.log.includes('Started PeerServer')) {
        clearTimeout(timer);
        server.stdout.off('data', check);
        resolve(server);
      }
    };
    server.stdout.on('data', check);
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reference server exited (${code}):\n${server.log}`));
    });
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) return resolve();
    const kill = setTimeout(() => server.kill('SIGKILL'), 3000);
    server.removeAllListeners('exit');
    server.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    server.kill('SIGTERM');
  });
}

async function main() {
  const frames = process.argv.includes('--frames');
  const port = await freePort();
  const server = await startServer(port);
  console.log(`reference server (peer) on 127.0.0.1:${port}, expire_timeout ${EXPIRE_MS} ms, alive_timeout ${ALIVE_MS} ms`);
  const env = {
    ...process.env,
    PEERJS_HOST: '127.0.0.1',
    PEERJS_PORT: String(port),
    PEERJS_PATH: '/',
    PEERJS_KEY: 'peerjs',
    PEERJS_EXPIRE_TIMEOUT_MS: String(EXPIRE_MS),
    PEERJS_ALIVE_TIMEOUT_MS: String(ALIVE_MS),
  };
  delete env.PEERJS_PORT_B; // one reference server: both peers on it
  delete env.PEERJS_HOST_B;
  const args = frames
    ? [path.join(here, 'capture-frames.cjs')]
    : ['--test', '--test-force-exit', '--test-concurrency=1', path.join(here, 'test')];
  const child = spawn(process.execPath, args, { cwd: here, env, stdio: 'inherit' });
  const limit = setTimeout(() => {
    console.error(`run-reference: tests still running after ${RUN_LIMIT_MS} ms, killing them`);
    child.kill('SIGKILL');
  }, RUN_LIMIT_MS);
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c === null ? 1 : c)));
  clearTimeout(limit);
  await stopServer(server);
  if (code !== 0 && process.env.PEERJS_SHOW_SERVER_LOG) console.error(`--- reference server log ---\n${server.log}`);
  process.exit(code);
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
