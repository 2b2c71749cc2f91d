/**
 * Property tests over what a hostile client controls: mint bodies, upgrade query strings,
 * sub-protocol lists and session frames. Whatever arrives: never a 500, never a crash, never
 * a session for a ticket that was not valid. Runs are bounded so the suite stays quick.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { openSocket } from "../helpers/ws-client.ts";

const RUNS = 120;
/** Statuses the API may answer a mint with; anything else (a 500 above all) is a bug. */
const MINT_STATUSES = [201, 400, 403, 413, 415];
const REFUSAL_STATUSES = [400, 401, 403, 426];
const PROPERTY_TIMEOUT_MS = 60_000;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ config: { messageRate: 100_000 }, maxTickets: 10_000 });
});
afterAll(async () => {
  await gw?.stop();
});

/** Strings a client could put anywhere: ASCII, Unicode, ticket- and pattern-shaped text. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    "*",
    "{subject}",
    "chat:*",
    "a:{subject}*",
    "tgt_",
    "$ticketgate.bind",
    "\u0000",
    "../..",
    "%00",
  ),
  fc.stringMatching(/^tgt_[A-Za-z0-9_-]{43}$/),
);
const channelEntry = fc.oneof(
  hostileString,
  fc.record({ pattern: hostileString, publish: fc.oneof(fc.boolean(), fc.jsonValue()) }),
);
const mintBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      subject: fc.oneof(hostileString, fc.jsonValue({ maxDepth: 1 })),
      channels: fc.oneof(fc.array(channelEntry, { maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })),
      metadata: fc.oneof(
        fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      ttl_seconds: fc.oneof(fc.integer(), fc.double(), fc.jsonValue({ maxDepth: 0 })),
      bind: fc.oneof(
        fc.record({ origin: hostileString, client_ip: hostileString }, { requiredKeys: [] }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
    },
    { requiredKeys: [] },
  ),
);

/** Percent-encoded, so the request line stays valid HTTP and the value reaches the query parser. */
const encode = (value: string) => encodeURIComponent(value);

/** Runs `body` and asserts no ticket was redeemed meanwhile: no session came of it. */
async function withoutNewSessions(body: () => Promise<void>): Promise<void> {
  const before = gw.gate.metrics.ticketsRedeemed.get();
  await body();
  expect(gw.gate.metrics.ticketsRedeemed.get()).toBe(before);
}

describe("hostile inputs", () => {
  test(
    "any mint body is answered with a defined status and problem+json, never a 500",
    async () => {
      await fc.assert(
        fc.asyncProperty(mintBody, async (body) => {
          const res = await fetch(`${gw.url}/api/v1/tickets`, {
            method: "POST",
            headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          });
          const text = await res.text();
          expect(MINT_STATUSES).toContain(res.status);
          if (res.status !== 201) {
            expect(res.headers.get("content-type")).toStartWith("application/problem+json");
            expect(JSON.parse(text).status).toBe(res.status);
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  test(
    "any upgrade query string without a live ticket is refused before a WebSocket exists",
    async () => {
      const pair = fc.tuple(fc.oneof(fc.constant("ticket"), hostileString), hostileString);
      await withoutNewSessions(() =>
        fc.assert(
          fc.asyncProperty(fc.array(pair, { maxLength: 5 }), async (pairs) => {
            const query = pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
            const res = await rawRequest(gw.port, `/ws?${query}`, upgradeHeaders());
            expect(REFUSAL_STATUSES).toContain(res.status);
            expect(res.headers["content-type"]).toStartWith("application/problem+json");
            expect(res.closed).toBe(true);
          }),
          { numRuns: RUNS },
        ),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  test(
    "any sub-protocol list is refused without a live ticket, and never echoes a ticket",
    async () => {
      const token = fc.oneof(
        fc.constant("ticketgate.v1"),
        fc.stringMatching(/^tgt_[A-Za-z0-9_-]{0,60}$/),
        fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,30}$/),
      );
      await withoutNewSessions(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(token, { maxLength: 6 }),
            fc.constantFrom(",", ", ", " ,"),
            async (list, sep) => {
              const headers = upgradeHeaders(
                list.length > 0 ? { "Sec-WebSocket-Protocol": list.join(sep) } : {},
              );
              const res = await rawRequest(gw.port, "/ws", headers);
              expect(REFUSAL_STATUSES).toContain(res.status);
              expect(res.headers["sec-websocket-protocol"] ?? "").not.toContain("tgt_");
            },
          ),
          { numRuns: RUNS },
        ),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  test(
    "any session frame gets an answer or a defined close, and the server keeps serving",
    async () => {
      const frame = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc
          .record(
            {
              type: fc.constantFrom(
                "ping",
                "subscribe",
                "unsubscribe",
                "publish",
                "reauth",
                "welcome",
                "__proto__",
                "constructor",
              ),
              channel: hostileString,
              data: fc.jsonValue({ maxDepth: 2 }),
              ticket: hostileString,
              id: fc.oneof(
                fc.integer(),
                fc.string({ maxLength: 10 }),
                fc.jsonValue({ maxDepth: 1 }),
              ),
            },
            { requiredKeys: ["type"] },
          )
          .map((v) => JSON.stringify(v)),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 10 }), async (frames) => {
          const ticket = await gw.mint({ subject: "prop", channels: ["chat:*"] });
          await using socket = openSocket(`${gw.wsUrl}?ticket=${ticket}`);
          expect((await socket.next()).type).toBe("welcome");
          for (const text of frames) socket.send(text);
          socket.send({ type: "ping", id: "last" });

          const closed = socket.closed.then((c) => ({ closed: c.code }));
          for (;;) {
            const next = await Promise.race([socket.next(5_000), closed]);
            if ("closed" in next) {
              // A protocol close is fine; 1006 (abrupt) or 1011 (server error) is not.
              expect(next.closed).not.toBe(1006);
              expect(next.closed).not.toBe(1011);
              break;
            }
            if (next.type === "pong" && next.id === "last") break;
          }
        }),
        { numRuns: 60 },
      );
      expect(gw.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    },
    PROPERTY_TIMEOUT_MS,
  );
});
