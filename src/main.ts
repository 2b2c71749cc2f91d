/** Entry point: configuration, store, server, signals. */
import pkg from "../package.json" with { type: "json" };
import { createTicketgate } from "./app.ts";
import { ApiKeyring, generateApiKey } from "./auth/api-keys.ts";
import { buildKeyring as keyringFromConfig } from "./auth/key-file.ts";
import { securityFromConfig } from "./auth/security.ts";
import { ConfigError, helpText, loadConfig, type Config } from "./config.ts";
import { runConformanceCli } from "./conformance/cli.ts";
import { createLogger } from "./observability/logger.ts";
import { createHub } from "./realtime/create-hub.ts";
import { listen } from "./server.ts";
import { openTicketStore, type TicketStoreSettings } from "./tickets/create-store.ts";

const VERSION = pkg.version;

/** Start-up failures end here: one line on stderr, a non-zero exit. */
function die(message: string): never {
  process.stderr.write(`ticketgate: ${message}\n`);
  process.exit(2);
}

/** Runs a start-up step; any error it throws becomes the one line `die` prints. */
async function step<T>(run: () => T | Promise<T>, prefix = ""): Promise<T> {
  try {
    return await run();
  } catch (error) {
    die(
      prefix +
        (error instanceof ConfigError || error instanceof Error ? error.message : String(error)),
    );
  }
}

function storeSettings(config: Config): TicketStoreSettings {
  const maxTickets = config.maxTickets;
  switch (config.store) {
    case "memory":
      return { kind: "memory", maxTickets };
    case "sqlite":
      return { kind: "sqlite", maxTickets, path: config.sqlitePath };
    case "redis":
      return { kind: "redis", maxTickets, url: config.redisUrl!, prefix: config.redisPrefix };
  }
}

/** Configured keys, or a generated one for a first try; the latter is returned to print. */
function buildKeyring(config: Config): { keyring: ApiKeyring; ephemeralKey?: string } {
  if (config.apiKeys.length > 0 || config.keysFile)
    return { keyring: keyringFromConfig(config.apiKeys, config.keysFile) };
  const ephemeralKey = generateApiKey();
  return { keyring: ApiKeyring.fromEntries([ephemeralKey]), ephemeralKey };
}

async function main(): Promise<void> {
  if (process.argv[2] === "conformance")
    process.exit(await runConformanceCli(process.argv.slice(3)));

  const parsed = await step(() => loadConfig(process.argv.slice(2), process.env));
  if (parsed.help) {
    process.stdout.write(helpText() + "\n");
    return;
  }
  const config = parsed.config;
  const { keyring, ephemeralKey } = await step(() => buildKeyring(config));
  const store = await step(() => openTicketStore(storeSettings(config)));

  const logger = createLogger(config.logLevel);
  const security = await step(() => securityFromConfig(config, keyring, logger));
  const hub = await step(() => createHub(config, logger), "TICKETGATE_REDIS_URL: ");
  const gate = createTicketgate(config, {
    store,
    keyring,
    logger,
    version: VERSION,
    hub,
    security,
  });
  const listening = await step(
    () => listen(gate, config.port, config.host),
    `cannot listen on ${config.host}:${config.port}: `,
  );

  logger.info("listening", {
    version: VERSION,
    host: config.host,
    port: listening.port,
    store: store.kind,
  });
  if (ephemeralKey) {
    // Printed once, on stderr and outside the JSON log, so log collectors never hold it.
    process.stderr.write(
      `ticketgate: no TICKETGATE_API_KEYS set; this run's EPHEMERAL API key (gone on restart):\n\n  ${ephemeralKey}\n\n`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info("shutting down", { signal });
    await listening.stop();
    await gate.close();
    await security.close();
    await store.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
