/**
 * One typed configuration object, built once from command-line flags and environment
 * variables (a flag wins over its variable) and validated before anything starts.
 */
import { SETTINGS, type Config, type Setting } from "./config-settings.ts";

export type { Config } from "./config-settings.ts";

/** A configuration problem; its message is the one line printed before exiting. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export type ParsedArgs = { help: true } | { help: false; config: Config };

/** Builds the config from argv (without the runtime and script) and an environment. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): ParsedArgs {
  const flags = readFlags(argv);
  if (flags === "help") return { help: true };

  const config: Record<string, unknown> = {};
  for (const setting of SETTINGS) config[setting.key] = resolve(setting, flags, env);
  crossCheck(config as unknown as Config);
  return { help: false, config: config as unknown as Config };
}

function readFlags(argv: string[]): Map<string, string> | "help" {
  const known = new Map(SETTINGS.map((s) => [s.flag, s]));
  const values = new Map<string, string>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return "help";
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}" (see --help)`);

    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const setting = known.get(name);
    if (!setting) throw new ConfigError(`unknown flag --${name} (see --help)`);

    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`--${name} needs a value (${setting.env})`);
    values.set(setting.flag, value);
  }
  return values;
}

function resolve(
  setting: Setting,
  flags: Map<string, string>,
  env: Record<string, string | undefined>,
): unknown {
  const raw = flags.get(setting.flag) ?? env[setting.env];
  if (raw === undefined || raw === "") return setting.default;

  const parsed = setting.parse(raw.trim());
  if (
    typeof parsed === "object" &&
    parsed !== null &&
    "invalid" in parsed &&
    Object.keys(parsed).length === 1
  ) {
    const shown = setting.secret ? "" : `, got "${raw}"`;
    throw new ConfigError(`invalid ${setting.env} (--${setting.flag}): ${parsed.invalid}${shown}`);
  }
  return parsed;
}

/** Settings that are each valid alone but not together. */
function crossCheck(config: Config): void {
  if (config.ticketTtl > config.ticketMaxTtl)
    throw new ConfigError(
      `TICKETGATE_TICKET_TTL (${config.ticketTtl}) is above TICKETGATE_TICKET_MAX_TTL (${config.ticketMaxTtl})`,
    );
  if (config.store === "redis" && !config.redisUrl)
    throw new ConfigError("TICKETGATE_STORE=redis needs TICKETGATE_REDIS_URL (--redis-url)");
}

/** The `--help` text: every setting with its variable, flag, default and meaning. */
export function helpText(): string {
  const lines = [
    "ticketgate: WebSocket gateway with single-use tickets checked in the upgrade",
    "",
    "usage: ticketgate [--flag value ...]     every flag has an environment variable; a flag wins",
    "",
  ];
  for (const s of SETTINGS) {
    const def = s.default === undefined ? "" : ` (default ${JSON.stringify(s.default)})`;
    lines.push(`  --${s.flag.padEnd(24)} ${s.env}`, `      ${s.help}${def}`);
  }
  return lines.join("\n");
}
