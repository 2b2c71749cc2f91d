/** Entry point: configuration, store, server, signals. */
import pkg from "../package.json" with { type: "json" };
import { createTicketgate } from "./app.ts";
import { ApiKeyring, generateApiKey } from "./auth/api-keys.ts";
import { ConfigError, helpText, loadConfig } from "./config.ts";
import { createLogger } from "./observability/logger.ts";
import { listen } from "./server.ts";
import { MemoryTicketStore } from "./tickets/memory.ts";

const VERSION = pkg.version;

function die(message: string): never {
  process.stderr.write(`ticketgate: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    die(error instanceof ConfigError ? error.message : String(error));
  }
  if (parsed.help) {
    process.stdout.write(helpText() + "\n");
    return;
  }
  const config = parsed.config;

  let keyring: ApiKeyring;
  try {
    keyring = ApiKeyring.fromEntries(config.apiKeys);
  } catch (error) {
    die((error as Error).message);
  }
  if (keyring.size === 0) {
    // Printed once, on stderr and outside the JSON log, so log collectors never hold it.
    const key = generateApiKey();
    keyring = ApiKeyring.fromEntries([key]);
    process.stderr.write(
      `ticketgate: no TICKETGATE_API_KEYS set; this run's EPHEMERAL API key (gone on restart):\n\n  ${key}\n\n`,
    );
  }

  const logger = createLogger(config.logLevel);
  let store;
  try {
    store = new MemoryTicketStore({ maxTickets: config.maxTickets });
  } catch (error) {
    die((error as Error).message);
  }

  const gate = createTicketgate(config, { store, keyring, logger, version: VERSION });
  let listening;
  try {
    listening = listen(gate, config.port, config.host);
  } catch (error) {
    die(`cannot listen on ${config.host}:${config.port} (${(error as Error).message})`);
  }
  logger.info("listening", { version: VERSION, host: config.host, port: listening.port, store: store.kind });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info("shutting down", { signal });
    await listening.stop();
    await store.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
