/**
 * `ticketgate conformance --url <base> --key <api key>`: proves, from outside, that a
 * deployment refuses what it must. Prints a pass/fail table; exits 1 on any failure, 2 on
 * bad usage. Run it against staging: the limit checks lock the runner's address out for
 * up to a minute.
 */
import type { SuiteOptions } from "./check.ts";
import { renderTable, runConformance } from "./runner.ts";

const DEFAULT_RACE = 20;
const DEFAULT_AUTH_LIMIT_ATTEMPTS = 100;
const DEFAULT_TIMEOUT_MS = 5_000;

const USAGE = `usage: ticketgate conformance --url <base> --key <api key> [options]

  --url <base>                    the deployment, e.g. https://rt.example.com
  --key <key>                     an API key with the mint scope (or TICKETGATE_CONFORMANCE_KEY)
  --origin-allowed <origin>       an Origin the deployment admits
  --origin-denied <origin>        an Origin the deployment refuses
  --race <n>                      parallel upgrades racing for one ticket (default ${DEFAULT_RACE})
  --auth-limit-attempts <n>       bad keys sent at most waiting for 429 (default ${DEFAULT_AUTH_LIMIT_ATTEMPTS}; 0 skips)
  --upgrade-limit-attempts <n>    upgrades sent at most waiting for 429 (default 0: skip)
  --skip-expiry                   do not wait for a ticket to expire
  --timeout <ms>                  per request (default ${DEFAULT_TIMEOUT_MS})`;

type Parsed = { url: string; key: string; timeoutMs: number; options: SuiteOptions };

function parseArgs(argv: string[], env: Record<string, string | undefined>): Parsed | string {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return USAGE;
    if (arg === "--skip-expiry") {
      flags.add(arg);
      continue;
    }
    const value = argv[i + 1];
    if (!arg.startsWith("--") || value === undefined)
      return `unexpected argument "${arg.slice(0, 40)}"\n\n${USAGE}`;
    values.set(arg.slice(2), value);
    i++;
  }

  const url = values.get("url");
  const key = values.get("key") ?? env.TICKETGATE_CONFORMANCE_KEY;
  if (!url || !/^https?:\/\/[^/]+$/.test(url.replace(/\/$/, "")))
    return `--url must be http(s)://host[:port]\n\n${USAGE}`;
  if (!key) return `--key is required\n\n${USAGE}`;

  const count = (name: string, fallback: number) => {
    const raw = values.get(name);
    return raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : fallback;
  };
  return {
    url: url.replace(/\/$/, ""),
    key,
    timeoutMs: count("timeout", DEFAULT_TIMEOUT_MS),
    options: {
      originAllowed: values.get("origin-allowed"),
      originDenied: values.get("origin-denied"),
      raceSize: Math.max(2, count("race", DEFAULT_RACE)),
      expiry: !flags.has("--skip-expiry"),
      authLimitAttempts: count("auth-limit-attempts", DEFAULT_AUTH_LIMIT_ATTEMPTS),
      upgradeLimitAttempts: count("upgrade-limit-attempts", 0),
    },
  };
}

/** Runs the suite for `argv` (after the subcommand); returns the process exit code. */
export async function runConformanceCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  print: (text: string) => void = (text) => process.stdout.write(text + "\n"),
): Promise<number> {
  const parsed = parseArgs(argv, env);
  if (typeof parsed === "string") {
    print(parsed);
    return parsed === USAGE ? 0 : 2;
  }
  const target = { base: parsed.url, key: parsed.key, timeoutMs: parsed.timeoutMs };
  print(`ticketgate conformance against ${parsed.url}\n`);
  const results = await runConformance(target, parsed.options);
  print(renderTable(results));
  return results.some((r) => r.verdict === "fail") ? 1 : 0;
}

if (import.meta.main) process.exit(await runConformanceCli(process.argv.slice(2)));
