/**
 * Baseline server: the ticket flow on Node 20's `node:http` with the `ws` library, the
 * stack most self-hosted WebSocket gateways run today. The ticket is checked in the
 * `upgrade` event before `handleUpgrade`, so a refused upgrade never becomes a socket.
 *
 *   node bench/baselines/node-ws.mjs --port 0 --api-keys <key>
 */
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import {
  MAX_BODY_BYTES,
  MINT_PATH,
  PUBLISH_PATH,
  WS_PATH,
  createKeyCheck,
  createTicketBook,
  logListening,
  messageFrame,
  mintAnswer,
  parseMintBody,
  parsePublishBody,
  parseServerArgs,
  problemBody,
  readClientFrame,
  welcomeFrame,
} from "./flow.mjs";

const options = parseServerArgs(process.argv.slice(2));
const isAuthorised = createKeyCheck(options.apiKeys);
const tickets = createTicketBook();
/** Channel name → sockets subscribed to it; `ws` has no pub/sub of its own. */
const channels = new Map();
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });

function answer(res, status, body, type = "application/json") {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const problem = (res, status, title) =>
  answer(res, status, problemBody(status, title), "application/problem+json");

/** Collects a request body up to the cap; resolves undefined when the cap is exceeded. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString());
    });
    req.on("error", reject);
  });
}

async function mint(req, res) {
  if (!isAuthorised(req.headers.authorization)) return problem(res, 401, "Unauthorized");

  const text = await readBody(req);
  if (text === undefined) return problem(res, 413, "Content Too Large");
  const grant = parseMintBody(text);
  if (grant === undefined) return problem(res, 400, "Bad Request");

  answer(res, 201, mintAnswer(tickets.mint(grant.subject, grant.channels)));
}

async function publish(req, res, channel) {
  if (!isAuthorised(req.headers.authorization)) return problem(res, 401, "Unauthorized");

  const text = await readBody(req);
  const body = text === undefined ? undefined : parsePublishBody(text);
  if (body === undefined) return problem(res, 400, "Bad Request");

  // Serialise once, send the same string to every subscriber.
  const frame = messageFrame(channel, body.data);
  for (const ws of channels.get(channel) ?? []) ws.send(frame);
  answer(res, 202, JSON.stringify({ channel }));
}

const server = createServer((req, res) => {
  const path = req.url.split("?", 1)[0];
  if (req.method !== "POST") return problem(res, 404, "Not Found");
  if (path === MINT_PATH) return void mint(req, res).catch(() => res.destroy());

  const channel = PUBLISH_PATH.exec(path)?.[1];
  if (channel === undefined) return problem(res, 404, "Not Found");
  publish(req, res, channel).catch(() => res.destroy());
});

/** Writes a bare HTTP refusal on the raw socket: no upgrade, no WebSocket object. */
function refuse(socket, status, title) {
  const body = problemBody(status, title);
  const head = [
    `HTTP/1.1 ${status} ${title}`,
    "connection: close",
    "content-type: application/problem+json",
    `content-length: ${Buffer.byteLength(body)}`,
  ];
  socket.end(head.join("\r\n") + "\r\n\r\n" + body);
}

server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname !== WS_PATH) return refuse(socket, 404, "Not Found");

  const grant = tickets.consume(url.searchParams.get("ticket"));
  if (grant === undefined) return refuse(socket, 401, "Unauthorized");

  wss.handleUpgrade(req, socket, head, (ws) => open(ws, grant));
});

function open(ws, grant) {
  const joined = new Set();
  ws.send(welcomeFrame(grant));

  ws.on("message", (data, isBinary) => {
    const { join, reply } = readClientFrame(isBinary ? "" : data.toString(), grant);
    if (join !== undefined && !joined.has(join)) {
      joined.add(join);
      if (!channels.has(join)) channels.set(join, new Set());
      channels.get(join).add(ws);
    }
    ws.send(reply);
  });

  ws.on("close", () => {
    for (const name of joined) {
      const members = channels.get(name);
      members?.delete(ws);
      if (members?.size === 0) channels.delete(name);
    }
  });
}

server.listen(options.port, options.host, () => logListening(server.address().port));

// Close sockets with 1001 on the harness's SIGTERM, then exit.
process.on("SIGTERM", () => {
  for (const ws of wss.clients) ws.close(1001);
  server.close();
  process.exit(0);
});
