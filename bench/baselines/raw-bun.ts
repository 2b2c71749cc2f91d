/**
 * Baseline server: the ticket flow on bare `Bun.serve`, with no framework in between.
 * Ticketgate's benchmark goals are ratios to this server, so it is kept to the essential
 * work (see flow.mjs) plus Bun's native pub/sub for the fan-out phase.
 *
 *   bun bench/baselines/raw-bun.ts --port 0 --api-keys <key>
 */
import type { ServerWebSocket } from "bun";
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
  type Grant,
} from "./flow.mjs";

const options = parseServerArgs(process.argv.slice(2));
const isAuthorised = createKeyCheck(options.apiKeys);
const tickets = createTicketBook();

const problem = (status: number, title: string) =>
  new Response(problemBody(status, title), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

const json = (status: number, body: string) =>
  new Response(body, { status, headers: { "content-type": "application/json" } });

async function mint(req: Request): Promise<Response> {
  if (!isAuthorised(req.headers.get("authorization"))) return problem(401, "Unauthorized");

  const grant = parseMintBody(await req.text());
  if (grant === undefined) return problem(400, "Bad Request");

  return json(201, mintAnswer(tickets.mint(grant.subject, grant.channels)));
}

async function publish(req: Request, channel: string): Promise<Response> {
  if (!isAuthorised(req.headers.get("authorization"))) return problem(401, "Unauthorized");

  const body = parsePublishBody(await req.text());
  if (body === undefined) return problem(400, "Bad Request");

  server.publish(channel, messageFrame(channel, body.data));
  return json(202, JSON.stringify({ channel }));
}

const server = Bun.serve<Grant, never>({
  port: options.port,
  hostname: options.host,
  maxRequestBodySize: MAX_BODY_BYTES,

  fetch(req, srv) {
    const url = new URL(req.url);

    // The ticket is consumed before the 101 so a refused upgrade never opens a socket.
    if (url.pathname === WS_PATH) {
      const grant = tickets.consume(url.searchParams.get("ticket"));
      if (grant === undefined) return problem(401, "Unauthorized");
      return srv.upgrade(req, { data: grant }) ? undefined : problem(400, "Bad Request");
    }
    if (req.method !== "POST") return problem(404, "Not Found");
    if (url.pathname === MINT_PATH) return mint(req);

    const channel = PUBLISH_PATH.exec(url.pathname)?.[1];
    return channel === undefined ? problem(404, "Not Found") : publish(req, channel);
  },

  websocket: {
    open(ws: ServerWebSocket<Grant>) {
      ws.send(welcomeFrame(ws.data));
    },
    message(ws: ServerWebSocket<Grant>, text: string | Buffer) {
      const { join, reply } = readClientFrame(String(text), ws.data);
      if (join !== undefined) ws.subscribe(join);
      ws.send(reply);
    },
  },
});

logListening(server.port);

// Close sockets with 1001 on the harness's SIGTERM, as ticketgate does, then exit.
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
