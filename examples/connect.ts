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
ws.addEventListener("close", (event) => {
  // A refused upgrade shows up here as 1006: WebSocket clients cannot read the HTTP status.
  console.log(
    `closed ${event.code}${event.code === 1006 ? " (refused: the ticket was bad, used or expired)" : ""}`,
  );
  process.exit(event.code === 1000 ? 0 : 1);
});
