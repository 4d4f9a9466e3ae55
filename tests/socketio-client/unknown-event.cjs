// One stock socket.io-client against a Switchboard node: connect, emit an unknown event with
// an ack, expect the server's `error` event and the ack, disconnect. Exit 0 on success.
//
//   SIO_URL=http://127.0.0.1:8080 SIO_CLIENT=4|2 SIO_TRANSPORTS=polling|websocket|default \
//     node unknown-event.cjs
//
// `default` is the client's default (polling, then the upgrade to a WebSocket), and the run
// waits for the upgrade before emitting, so the event crosses the upgraded transport.
// SIO_HOLD_MS keeps the connection idle that long first, so heartbeats must work.
"use strict";

const url = process.env.SIO_URL;
const client = process.env.SIO_CLIENT || "4";
const transports = process.env.SIO_TRANSPORTS || "default";
const io = require(client === "2" ? "socket.io-client-v2" : "socket.io-client");

const fail = (why) => {
  console.error(`socket.io-client ${client} (${transports}): ${why}`);
  process.exit(1);
};
const timer = setTimeout(() => fail("timed out"), 15000);
const log = (...args) => console.log(`[${client}/${transports}]`, ...args);

const options = { reconnection: false, forceNew: true };
if (transports !== "default") options.transports = [transports];
const socket = io(url, options);

const engine = () => socket.io.engine;
const transportName = () => engine().transport.name;

socket.on("connect_error", (err) => fail(`connect_error: ${err && err.message}`));
socket.on("disconnect", (reason) => {
  if (reason !== "io client disconnect") fail(`disconnected: ${reason}`);
});
socket.on("connect", () => {
  log("connected as", socket.id, "over", transportName());
  if (transports === "default" && transportName() !== "websocket") {
    engine().once("upgrade", (transport) => {
      log("upgraded to", transport.name);
      run();
    });
  } else {
    run();
  }
});

function run() {
  const hold = Number(process.env.SIO_HOLD_MS || 0);
  setTimeout(exchange, hold);
}

function exchange() {
  const expected = "unknown event: no-such-event";
  let gotError = false;
  let gotAck = false;
  const done = () => {
    if (!gotError || !gotAck) return;
    if (transports !== "polling" && transportName() !== "websocket") {
      fail(`ended on ${transportName()}, not websocket`);
    }
    socket.on("disconnect", (reason) => {
      log("disconnected:", reason);
      clearTimeout(timer);
      // Let the client's close reach the server before exiting.
      setTimeout(() => process.exit(0), 200);
    });
    socket.disconnect();
  };
  socket.on("error", (message) => {
    log("error event:", message);
    if (message !== expected) fail(`error event ${JSON.stringify(message)}`);
    gotError = true;
    done();
  });
  socket.emit("no-such-event", { a: 1 }, "two", (answer) => {
    log("ack:", JSON.stringify(answer));
    if (!answer || answer.error !== expected) fail(`ack ${JSON.stringify(answer)}`);
    gotAck = true;
    done();
  });
}
