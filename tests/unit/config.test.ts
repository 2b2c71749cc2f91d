/** Configuration: defaults, flags over variables, and one clear line for each bad value. */
import { describe, expect, test } from "bun:test";
import { ConfigError, helpText, loadConfig } from "../../src/config.ts";
import { SETTINGS } from "../../src/config-settings.ts";

const load = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = loadConfig(argv, env);
  if (parsed.help) throw new Error("unexpected help");
  return parsed.config;
};

describe("loadConfig", () => {
  test("has the documented defaults", () => {
    expect(load([])).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      apiKeys: [],
      ticketTtl: 30,
      ticketMaxTtl: 300,
      store: "memory",
      logLevel: "info",
      allowedOrigins: undefined,
    });
  });

  test("reads variables and lets flags win, in both flag spellings", () => {
    const config = load(["--port=4000", "--ticket-ttl", "10"], {
      PORT: "5000",
      TICKETGATE_TICKET_TTL: "20",
      HOST: "127.0.0.1",
    });
    expect(config).toMatchObject({ port: 4000, ticketTtl: 10, host: "127.0.0.1" });
  });

  test("splits comma lists and trims them", () => {
    const config = load([], {
      TICKETGATE_API_KEYS: " a , b,, ",
      TICKETGATE_ALLOWED_ORIGINS: "https://A.example.com, https://*.x.org",
    });
    expect(config.apiKeys).toEqual(["a", "b"]);
    expect(config.allowedOrigins).toEqual(["https://a.example.com", "https://*.x.org"]);
  });

  test("asks for help", () => {
    expect(loadConfig(["--help"], {})).toEqual({ help: true });
  });

  test.each([
    [{ PORT: "70000" }, /PORT/],
    [{ PORT: "-1" }, /PORT/],
    [{ PORT: "1e3" }, /PORT/],
    [{ TICKETGATE_TICKET_MAX_TTL: "0" }, /TICKETGATE_TICKET_MAX_TTL/],
    [{ TICKETGATE_MAX_TICKETS: "many" }, /TICKETGATE_MAX_TICKETS/],
    [{ TICKETGATE_TICKET_TTL: "301" }, /TICKETGATE_TICKET_TTL .*TICKETGATE_TICKET_MAX_TTL/],
    [{ TICKETGATE_MAX_FRAME_BYTES: "99999999999" }, /TICKETGATE_MAX_FRAME_BYTES/],
    [{ TICKETGATE_REDIS_URL: "redis://h:1/abc" }, /TICKETGATE_REDIS_URL/],
  ])("refuses a bad value, case %#", (env, message) => {
    expect(() => load([], env)).toThrow(message);
    expect(() => load([], env)).toThrow(ConfigError);
  });

  test("never echoes a secret setting's value", () => {
    try {
      load([], { TICKETGATE_REDIS_URL: "ftp://user:hunter2@h" });
      throw new Error("should have refused");
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });

  test("refuses a flag without a value and an unknown flag", () => {
    expect(() => load(["--port"])).toThrow(/--port needs a value/);
    expect(() => load(["--nope", "1"])).toThrow(/unknown flag --nope/);
    expect(() => load(["stray"])).toThrow(/unexpected argument/);
  });
});

test("help names every setting's variable and flag", () => {
  const text = helpText();
  for (const s of SETTINGS) {
    expect(text).toContain(s.env);
    expect(text).toContain(`--${s.flag}`);
  }
});
