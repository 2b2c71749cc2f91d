/**
 * Regression: a Host header shorter than three characters, or an empty one, once made the
 * credential guard and Elysia's router disagree about the path, so /api routes answered
 * without any credential (found by a hostile-user test). Every such request must be refused.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
afterEach(async () => {
  await gw?.stop();
});

/** One raw HTTP/1.1 request with exactly the given head; resolves with the status line. */
function rawStatus(port: number, head: string, body = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data.split("\r\n")[0] ?? "");
    }, 2000);
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
      if (data.includes("\r\n\r\n")) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.split("\r\n")[0]!);
      }
    });
    socket.on("error", reject);
    socket.write(head + "\r\n\r\n" + body);
  });
}

const MINT_BODY = '{"subject":"admin","channels":["*"]}';
const mintHead = (path: string, host: string) =>
  [
    `POST ${path} HTTP/1.1`,
    `Host: ${host}`,
    "Content-Type: application/json",
    `Content-Length: ${MINT_BODY.length}`,
  ].join("\r\n");

describe("requests with short or empty Host headers", () => {
  test.each([
    ["a one-character host and a prefixed path", "/zz/api/v1/tickets", "x"],
    ["a two-character host and a prefixed path", "/z/api/v1/tickets", "ab"],
    ["a one-character host", "/api/v1/tickets", "x"],
    ["an empty host", "/api/v1/tickets", ""],
    ["a host with a port", "/api/v1/tickets", "a:1"],
  ])("cannot mint without a credential: %s", async (_name, path, host) => {
    gw = await startGateway();
    const status = await rawStatus(gw.port, mintHead(path, host), MINT_BODY);
    expect(status).not.toContain(" 201 ");
    expect(status).toMatch(/ (400|401|404) /);
  });

  test.each([
    ["GET /zz/api/v1/sessions", "x"],
    ["GET /xx/metrics", "x"],
    ["GET /api/v1/sessions", ""],
    ["GET /metrics", ""],
    ["DELETE /zz/api/v1/subjects/alice/sessions", "x"],
  ])("admin route %s with Host %p answers no data without a credential", async (line, host) => {
    gw = await startGateway();
    const status = await rawStatus(gw.port, `${line} HTTP/1.1\r\nHost: ${host}`);
    expect(status).toMatch(/ (400|401|404) /);
  });

  test("a short Host still reaches the routes with a valid credential", async () => {
    gw = await startGateway();
    const head = mintHead("/api/v1/tickets", "x") + `\r\nAuthorization: Bearer ${API_KEY}`;
    expect(await rawStatus(gw.port, head, MINT_BODY)).toContain(" 201 ");
    expect(await rawStatus(gw.port, "GET /healthz HTTP/1.1\r\nHost: x")).toContain(" 200 ");
  });
});
