/**
 * A minimal WebSocket client for the README walk-through: connects with a ticket offered as
 * a sub-protocol (so it stays out of URLs), prints every frame, sends a ping, and exits.
 *
 *   npx bun examples/connect.ts ws://localhost:3000/ws tgt_...
 */
const [url, ticket] = process.argv.slice(2);
if (!url || !ticket) {
  console.error("usage: bun examples/connect.ts <ws url> <ticket>");
  process.exit(2);
}

const ws = new WebSocket(url, ["ticketgate.v1", ticket]);
ws.addEventListener("open", () => {
  console.log(`open (protocol ${ws.protocol})`);
  ws.send(JSON.stringify({ type: "ping", id: 1 }));
});
ws.addEventListener("message", (event) => {
  console.log("<-", String(event.data));
  if (JSON.parse(String(event.data)).type === "pong") ws.close(1000);
});
// Bun's WebSocket names the refused upgrade's HTTP status in its error text (browsers show
// nothing); the status is all this prints of it, since the text also holds the URL.
let refusedWith = "";
ws.addEventListener("error", (event) => {
  const status = /Expected 101 status code: (\d{3})/.exec((event as ErrorEvent).message ?? "")?.[1];
  if (status) refusedWith = ` (upgrade refused with HTTP ${status})`;
});
ws.addEventListener("close", (event) => {
  console.log(
    `closed ${event.code}${event.code === 1006 ? refusedWith || " (no connection)" : ""}`,
  );
  process.exit(event.code === 1000 ? 0 : 1);
});
