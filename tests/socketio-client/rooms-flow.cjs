// The seed flow of the `rooms` dialect (seeds 001/002) with the stock socket.io-client:
// create, room-exists, join, signals both ways, target-not-found, room-not-exists, a member
// leaving and rejoining, not-in-room, the owner leaving (the others kicked), an owner's
// disconnect closing its room, and a bad argument answered with `error`. Exit 0 on success.
//
//   SIO_URL=http://127.0.0.1:8080 [SIO_URL_B=http://...] SIO_CLIENT=4|2 \
//     SIO_TRANSPORTS=polling|websocket|default node rooms-flow.cjs
//
// SIO_URL_B, when set, is where the second and third clients connect (another node).
"use strict";

const urlA = process.env.SIO_URL;
const urlB = process.env.SIO_URL_B || urlA;
const client = process.env.SIO_CLIENT || "4";
const transports = process.env.SIO_TRANSPORTS || "default";
const io = require(client === "2" ? "socket.io-client-v2" : "socket.io-client");

const tag = `[${client}/${transports}]`;
const fail = (why) => {
  console.error(`socket.io-client ${client} (${transports}): ${why}`);
  process.exit(1);
};
const timer = setTimeout(() => fail("timed out"), 25000);
const log = (...args) => console.log(tag, ...args);

const EVENTS = [
  "room-created", "room-exists", "room-joined", "room-not-exists", "client-joined",
  "room-left", "client-left", "not-in-room", "signal-receive", "target-not-found", "error",
];

function connect(url, name) {
  const options = { reconnection: false, forceNew: true };
  if (transports !== "default") options.transports = [transports];
  const socket = io(url, options);
  socket.name = name;
  socket.queue = [];
  socket.waiters = [];
  for (const event of EVENTS) {
    socket.on(event, (...args) => {
      socket.queue.push([event, args]);
      pump(socket);
    });
  }
  socket.on("connect_error", (err) => fail(`${name} connect_error: ${err && err.message}`));
  return new Promise((resolve) => socket.on("connect", () => {
    if (transports === "default" && socket.io.engine.transport.name !== "websocket") {
      socket.io.engine.once("upgrade", () => resolve(socket));
    } else {
      resolve(socket);
    }
  }));
}

function pump(socket) {
  while (socket.queue.length && socket.waiters.length) {
    socket.waiters.shift()(socket.queue.shift());
  }
}

// The socket's next event, which must be `event` with `args` (compared as JSON; a function
// checks instead).
async function expect(socket, event, args) {
  const [got, gotArgs] = await new Promise((resolve) => {
    socket.waiters.push(resolve);
    pump(socket);
  });
  const shown = `${socket.name} got ${got}${JSON.stringify(gotArgs)}`;
  log(shown);
  if (got !== event) fail(`${shown}, expected ${event}${JSON.stringify(args)}`);
  if (typeof args === "function") {
    if (!args(gotArgs)) fail(`${shown}: unexpected arguments`);
  } else if (JSON.stringify(gotArgs) !== JSON.stringify(args)) {
    fail(`${shown}, expected ${event}${JSON.stringify(args)}`);
  }
  return gotArgs;
}

// Nothing else came: a signal to self through the room arrives next.
async function quiet(socket, room) {
  socket.emit("signal-send", room, socket.id, "fence");
  await expect(socket, "signal-receive", [room, socket.id, "fence"]);
}

const sameSet = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

async function main() {
  const a = await connect(urlA, "a");
  const b = await connect(urlB, "b");
  const c = await connect(urlB, "c");
  const room = `room-${client}-${transports}-${Date.now()}`;
  log("ids", a.id, b.id, c.id);

  a.emit("room-create", room);
  await expect(a, "room-created", [room]);
  b.emit("room-create", room);
  await expect(b, "room-exists", [room]);

  b.emit("room-join", room);
  await expect(b, "room-joined", [room, a.id, [a.id]]);
  await expect(a, "client-joined", [room, b.id]);

  const offer = { description: { type: "offer", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n" } };
  const candidate = { candidate: { candidate: "candidate:1 1 udp 1 10.0.0.1 9 typ host", sdpMid: "0", sdpMLineIndex: 0 } };
  b.emit("signal-send", room, a.id, offer);
  await expect(a, "signal-receive", [room, b.id, offer]);
  a.emit("signal-send", room, b.id, candidate);
  await expect(b, "signal-receive", [room, a.id, candidate]);
  b.emit("signal-send", room, "nobody", {});
  await expect(b, "target-not-found", [room, "nobody"]);
  b.emit("signal-send", "elsewhere", a.id, {});
  await expect(b, "not-in-room", ["elsewhere"]);

  c.emit("room-join", `${room}-none`);
  await expect(c, "room-not-exists", [`${room}-none`]);
  c.emit("room-join", room);
  await expect(c, "room-joined", (args) => args[0] === room && args[1] === a.id && sameSet(args[2], [a.id, b.id]));
  await expect(a, "client-joined", [room, c.id]);
  await expect(b, "client-joined", [room, c.id]);

  c.emit("room-leave", room);
  await expect(c, "room-left", [room, false]);
  await expect(a, "client-left", [room, c.id]);
  await expect(b, "client-left", [room, c.id]);
  c.emit("room-leave", room);
  await expect(c, "not-in-room", [room]);
  c.emit("room-join", room);
  await expect(c, "room-joined", (args) => sameSet(args[2], [a.id, b.id]));
  await expect(a, "client-joined", [room, c.id]);
  await expect(b, "client-joined", [room, c.id]);

  c.emit("room-create", 5);
  await expect(c, "error", (args) => typeof args[0] === "string" && args[0].includes("room-create"));
  c.emit("signal-send", room);
  await expect(c, "error", (args) => typeof args[0] === "string" && args[0].includes("signal-send"));

  // The owner leaves: the room closes.
  a.emit("room-leave", room);
  await expect(a, "room-left", [room, false]);
  await expect(b, "room-left", [room, true]);
  await expect(c, "room-left", [room, true]);
  b.emit("room-join", room);
  await expect(b, "room-not-exists", [room]);

  // An owner's disconnect closes its room too; a member's is a leave.
  const second = `${room}-2`;
  b.emit("room-create", second);
  await expect(b, "room-created", [second]);
  c.emit("room-join", second);
  await expect(c, "room-joined", [second, b.id, [b.id]]);
  await expect(b, "client-joined", [second, c.id]);
  a.emit("room-join", second);
  await expect(a, "room-joined", (args) => sameSet(args[2], [b.id, c.id]));
  await expect(b, "client-joined", [second, a.id]);
  await expect(c, "client-joined", [second, a.id]);
  const aId = a.id;
  a.disconnect();
  await expect(b, "client-left", [second, aId]);
  await expect(c, "client-left", [second, aId]);
  b.disconnect();
  await expect(c, "room-left", [second, true]);
  c.emit("room-join", second);
  await expect(c, "room-not-exists", [second]);
  c.emit("room-create", `${room}-3`);
  await expect(c, "room-created", [`${room}-3`]);
  await quiet(c, `${room}-3`);
  c.disconnect();
  clearTimeout(timer);
  log("done");
  setTimeout(() => process.exit(0), 200);
}

main().catch((err) => fail(err && err.stack));
