/** Conformance checks of `POST /api/v1/tickets`: who may mint, and how refusals look. */
import { callApi, mint, rawRequest } from "./client.ts";
import { ensure, ensureProblem, type Check } from "./check.ts";

const TICKET_SHAPE = /^tgt_[A-Za-z0-9_-]{43}$/;
const MINT_PATH = "/api/v1/tickets";
const body = JSON.stringify({ subject: "conformance" });

/** A JWT with `alg: none`: a gateway that accepts it accepts anyone. */
function unsignedJwt(): string {
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const exp = Math.floor(Date.now() / 1000) + 300;
  return `${enc({ alg: "none", typ: "JWT" })}.${enc({ sub: "conformance", exp })}.`;
}

/** Host headers under three characters, which once made a router read another path. */
const ODD_HOSTS: [host: string, path: string][] = [
  ["x", "/zz/api/v1/sessions"],
  ["ab", "/z/api/v1/sessions"],
  ["", "/api/v1/sessions"],
  ["x", "/xx/metrics"],
];

export const apiChecks: Check[] = [
  {
    id: "odd-host-needs-credential",
    title: "admin routes reached with short or empty Host headers still demand a credential",
    async run({ target }) {
      for (const [host, path] of ODD_HOSTS) {
        const res = await rawRequest(target, path, { Host: host }, "GET", 0);
        ensure(
          res.status !== 200 && res.status < 500,
          `GET ${path} with Host "${host}" and no credential answered ${res.status}`,
        );
      }
    },
  },
  {
    id: "mint-needs-credential",
    title: "minting without a credential is refused 401 with WWW-Authenticate",
    async run({ target }) {
      const res = await callApi(target, MINT_PATH, { bearer: null, body });
      ensureProblem(res, 401);
      ensure(
        (res.headers["www-authenticate"] ?? "").startsWith("Bearer"),
        "401 lacks WWW-Authenticate: Bearer",
      );
    },
  },
  {
    id: "mint-refuses-unknown-key",
    title: "an unknown API key is refused 401 and not echoed",
    async run({ target }) {
      const bogus = `conformance-bogus-${crypto.randomUUID()}`;
      ensureProblem(await callApi(target, MINT_PATH, { bearer: bogus, body }), 401, [bogus]);
    },
  },
  {
    id: "mint-refuses-alg-none",
    title: "an unsigned JWT (alg: none) is refused 401",
    async run({ target }) {
      const token = unsignedJwt();
      ensureProblem(await callApi(target, MINT_PATH, { bearer: token, body }), 401, [token]);
    },
  },
  {
    id: "mint-refuses-media-type",
    title: "a non-JSON body is refused 415",
    async run({ target }) {
      ensureProblem(
        await callApi(target, MINT_PATH, { body: "subject=x", contentType: "text/plain" }),
        415,
      );
    },
  },
  {
    id: "mint-refuses-bad-json",
    title: "malformed JSON is refused 400",
    async run({ target }) {
      ensureProblem(await callApi(target, MINT_PATH, { body: '{"subject":' }), 400);
    },
  },
  {
    id: "mint-refuses-bad-field",
    title: "a body failing the schema is refused 400 naming the field",
    async run({ target }) {
      const res = await callApi(target, MINT_PATH, { body: JSON.stringify({ subject: "" }) });
      const problem = ensureProblem(res, 400);
      ensure(
        Array.isArray(problem.errors) && problem.errors.length > 0,
        "400 does not name the failing field",
      );
    },
  },
  {
    id: "mint-refuses-large-body",
    title: "a body over 16 KiB is refused 413",
    async run({ target }) {
      const padding = "x".repeat(20 * 1024);
      ensureProblem(
        await callApi(target, MINT_PATH, {
          body: JSON.stringify({ subject: "c", metadata: { padding } }),
        }),
        413,
      );
    },
  },
  {
    id: "mint-issues-ticket",
    title: "a valid request gets 201, a tgt_ ticket and Cache-Control: no-store",
    async run({ target }) {
      const res = await callApi(target, MINT_PATH, { body });
      ensure(res.status === 201, `expected HTTP 201, got ${res.status}`);
      const answer = JSON.parse(res.body) as { ticket?: unknown; expires_in?: unknown };
      ensure(
        typeof answer.ticket === "string" && TICKET_SHAPE.test(answer.ticket),
        "the ticket is not tgt_ + 43 base64url characters",
      );
      ensure(typeof answer.expires_in === "number", "the answer lacks expires_in");
      ensure(
        (res.headers["cache-control"] ?? "").includes("no-store"),
        "the ticket answer may be cached (no Cache-Control: no-store)",
      );
    },
  },
  {
    id: "mint-validates-bind",
    title: "an unusable binding is refused 400",
    async run({ target }) {
      const res = await callApi(target, MINT_PATH, {
        body: JSON.stringify({ subject: "c", bind: { client_ip: "not-an-ip" } }),
      });
      ensureProblem(res, 400);
      await mint(target);
    },
  },
];
