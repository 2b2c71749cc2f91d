/** Conformance checks of `GET /ws`: the ticket is checked, consumed once, and refusals are HTTP. */
import { firstFrame, mint, rawRequest, upgradeHeaders, type Target } from "./client.ts";
import { CheckSkipped, ensure, ensureClosed, ensureProblem, type Check } from "./check.ts";

const SUBPROTOCOL = "ticketgate.v1";
/** An address from TEST-NET-1 (RFC 5737): never the runner's own. */
const FOREIGN_IP = "192.0.2.1";
const UNUSED_ORIGIN = "https://conformance.invalid";
/** Lifetime asked for in the expiry check, and how long the check waits past it. */
const SHORT_TTL_SECONDS = 1;
const EXPIRY_WAIT_MS = 2_200;

const upgrade = (target: Target, ticket: string, extra: Record<string, string> = {}) =>
  rawRequest(target, `/ws?ticket=${ticket}`, upgradeHeaders(extra));

/** Asserts a 101 and lets the socket go. */
async function ensureUpgrades(
  target: Target,
  ticket: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const res = await upgrade(target, ticket, extra);
  ensure(res.status === 101, `a valid ticket was refused with HTTP ${res.status}`);
}

export const upgradeChecks: Check[] = [
  {
    id: "upgrade-with-query-ticket",
    title: "a fresh ticket in ?ticket= opens a session whose first frame is a welcome",
    async run({ target }) {
      const frame = await firstFrame(target, `?ticket=${await mint(target)}`);
      ensure(frame.type === "welcome", `first frame is ${String(frame.type)}, not welcome`);
      ensure(frame.subject === "conformance", "the welcome names another subject");
    },
  },
  {
    id: "upgrade-with-subprotocol-ticket",
    title:
      "a ticket beside ticketgate.v1 upgrades, and the answer names ticketgate.v1, never the ticket",
    async run({ target }) {
      const ticket = await mint(target);
      const res = await rawRequest(
        target,
        "/ws",
        upgradeHeaders({ "Sec-WebSocket-Protocol": `${SUBPROTOCOL}, ${ticket}` }),
      );
      ensure(res.status === 101, `expected HTTP 101, got ${res.status}`);
      ensure(
        res.headers["sec-websocket-protocol"] === SUBPROTOCOL,
        "the answer does not select exactly ticketgate.v1",
      );
    },
  },
  {
    id: "refuses-missing-ticket",
    title: "an upgrade without a ticket is refused 401 problem+json and closed",
    async run({ target }) {
      const res = await rawRequest(target, "/ws", upgradeHeaders());
      ensureProblem(res, 401);
      ensureClosed(res);
    },
  },
  {
    id: "refuses-unknown-ticket",
    title: "a well-formed unknown ticket is refused 401",
    async run({ target }) {
      const guess = `tgt_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
      const res = await upgrade(target, guess);
      ensureProblem(res, 401, [guess]);
      ensureClosed(res);
    },
  },
  {
    id: "refuses-protocol-ticket-alone",
    title:
      "a ticket offered as sub-protocol without ticketgate.v1 is refused, before it is consumed",
    async run({ target }) {
      const ticket = await mint(target);
      const res = await rawRequest(
        target,
        "/ws",
        upgradeHeaders({ "Sec-WebSocket-Protocol": ticket }),
      );
      ensureProblem(res, 401, [ticket]);
      await ensureUpgrades(target, ticket);
    },
  },
  {
    id: "refuses-ticket-in-both-places",
    title: "a ticket in the query and another in the sub-protocols is refused 401",
    async run({ target }) {
      const [a, b] = [await mint(target), await mint(target)];
      const headers = upgradeHeaders({ "Sec-WebSocket-Protocol": `${SUBPROTOCOL}, ${b}` });
      ensureProblem(await rawRequest(target, `/ws?ticket=${a}`, headers), 401, [a, b]);
    },
  },
  {
    id: "handshake-checked-before-ticket",
    title:
      "bad handshakes (version, key, method, no upgrade) are refused before the ticket is touched",
    async run({ target }) {
      const ticket = await mint(target);
      const cases: [Record<string, string>, string, number][] = [
        [upgradeHeaders({ "Sec-WebSocket-Version": "8" }), "GET", 426],
        [upgradeHeaders({ "Sec-WebSocket-Key": "short" }), "GET", 400],
        [upgradeHeaders(), "POST", 405],
        [{}, "GET", 426],
      ];
      for (const [headers, method, status] of cases) {
        const res = await rawRequest(target, `/ws?ticket=${ticket}`, headers, method);
        ensureProblem(res, status, [ticket]);
        ensureClosed(res);
      }
      await ensureUpgrades(target, ticket);
    },
  },
  {
    id: "single-use-under-race",
    title: "parallel upgrades with one ticket: exactly one 101, the rest 401",
    async run({ target, options }) {
      const ticket = await mint(target);
      const answers = await Promise.all(
        Array.from({ length: options.raceSize }, () => upgrade(target, ticket)),
      );
      const won = answers.filter((a) => a.status === 101).length;
      const refused = answers.filter((a) => a.status === 401).length;
      ensure(won === 1, `${won} of ${options.raceSize} parallel upgrades succeeded`);
      ensure(refused === options.raceSize - 1, "losers were not all refused 401");
      ensureProblem(await upgrade(target, ticket), 401, [ticket]);
      return `${options.raceSize} in parallel`;
    },
  },
  {
    id: "ticket-expires",
    title: "a ticket is refused 401 once its lifetime has passed",
    async run({ target, options }) {
      if (!options.expiry) throw new CheckSkipped("--skip-expiry given");
      const ticket = await mint(target, { ttl_seconds: SHORT_TTL_SECONDS });
      await Bun.sleep(EXPIRY_WAIT_MS);
      ensureProblem(await upgrade(target, ticket), 401, [ticket]);
    },
  },
  {
    id: "origin-denied",
    title: "an Origin outside the allow-list is refused 403",
    async run({ target, options }) {
      if (!options.originDenied) throw new CheckSkipped("no --origin-denied given");
      const ticket = await mint(target);
      ensureProblem(await upgrade(target, ticket, { Origin: options.originDenied }), 403, [ticket]);
      await ensureUpgrades(
        target,
        ticket,
        options.originAllowed ? { Origin: options.originAllowed } : {},
      );
    },
  },
  {
    id: "origin-allowed",
    title: "an allowed Origin upgrades",
    async run({ target, options }) {
      if (!options.originAllowed) throw new CheckSkipped("no --origin-allowed given");
      await ensureUpgrades(target, await mint(target), { Origin: options.originAllowed });
    },
  },
  {
    id: "bound-ip-elsewhere",
    title: "a ticket bound to another client address is refused 403",
    async run({ target }) {
      const ticket = await mint(target, { bind: { client_ip: FOREIGN_IP } });
      const res = await upgrade(target, ticket);
      ensureProblem(res, 403, [ticket]);
      ensureClosed(res);
    },
  },
  {
    id: "bound-origin-burned",
    title: "a ticket bound to an Origin is refused 403 elsewhere and is burned by that refusal",
    async run({ target, options }) {
      const origin = options.originAllowed ?? UNUSED_ORIGIN;
      const ticket = await mint(target, { bind: { origin } });
      ensureProblem(await upgrade(target, ticket), 403, [ticket]);
      const retry = await upgrade(target, ticket, { Origin: origin });
      if (retry.status === 403 && !options.originAllowed)
        throw new CheckSkipped("the deployment has an Origin allow-list; pass --origin-allowed");
      ensureProblem(retry, 401, [ticket]);
    },
  },
  {
    id: "plain-get-refused",
    title: "a plain GET on /ws is refused 426 problem+json",
    async run({ target }) {
      ensureProblem(await rawRequest(target, "/ws", { Connection: "close" }), 426);
    },
  },
];
