// One stock socket.io-client connected to a Switchboard node that is then drained (the Rust
// test sends SIGTERM once this prints `connected`): the client must see its connection end
// as a transport close, the kind socket.io-client reconnects from (not a server disconnect,
// which it would not retry). Exit 0 on success.
//
//   SIO_URL=... SIO_CLIENT=4|2 SIO_TRANSPORTS=polling|websocket node drain.cjs
"use strict";

const url = process.env.SIO_URL;
const client = process.env.SIO_CLIENT || "4";
const transports = process.env.SIO_TRANSPORTS || "websocket";
const io = require(client === "2" ? "socket.io-client-v2" : "socket.io-client");

const fail = (why) => {
  console.error(`socket.io-client ${client} (${transports}): ${why}`);
  process.exit(1);
};
setTimeout(() => fail("timed out"), 15000);

const socket = io(url, { reconnection: false, forceNew: true, transports: [transports] });
socket.on("connect_error", (err) => fail(`connect_error: ${err && err.message}`));
socket.on("connect", () => console.log("connected"));
socket.on("disconnect", (reason) => {
  console.log("disconnected:", reason);
  if (reason !== "transport close") fail(`disconnect reason ${reason}`);
  process.exit(0);
});
