/**
 * TICKETGATE_KEYS_FILE: named API keys with scopes, as JSON or YAML. Each entry is
 * `{ id, hash: "sha256:<hex>" }` (preferred: the file then holds no secret) or
 * `{ id, key: "<plain key>" }`, plus `scopes: [mint | publish | revoke | admin]`.
 * Rotation: list the new key beside the old one, move the backends over, then delete the
 * old entry; both work while both are listed.
 */
import { readFileSync } from "node:fs";
import { ApiKeyring, parseKeyEntry, type ApiKey } from "./api-keys.ts";
import { isScope, type Scope } from "./scopes.ts";

/** Ids appear in logs and metrics; keep them short and free of separators. */
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const ENTRY_FIELDS = new Set(["id", "hash", "key", "scopes"]);

/** Reads and checks the file; throws one line naming the file and the failing entry. */
export function loadKeyFile(path: string): ApiKey[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `TICKETGATE_KEYS_FILE: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  return parseKeyFile(text, path);
}

/** Parses file contents: JSON when it starts with `[` or `{`, YAML otherwise. */
export function parseKeyFile(text: string, path = "keys file"): ApiKey[] {
  const where = `TICKETGATE_KEYS_FILE ${JSON.stringify(path)}`;
  let value: unknown;
  try {
    value = /^\s*[[{]/.test(text) ? JSON.parse(text) : Bun.YAML.parse(text);
  } catch {
    throw new Error(`${where}: not valid JSON or YAML`);
  }
  // Both `[...]` and `{ keys: [...] }` are accepted; the second leaves room for more fields.
  const list = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list))
    throw new Error(`${where}: expected a list of keys (or an object with "keys")`);

  const keys = list.map((entry, i) => parseEntry(entry, `${where} entry ${i + 1}`));
  try {
    ApiKeyring.fromKeys(keys);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
  return keys;
}

function parseEntry(entry: unknown, where: string): ApiKey {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    throw new Error(`${where}: must be an object`);
  const fields = entry as Record<string, unknown>;
  for (const name of Object.keys(fields))
    if (!ENTRY_FIELDS.has(name)) throw new Error(`${where}: unknown field "${name.slice(0, 32)}"`);

  const { id, hash, key, scopes } = fields;
  if (typeof id !== "string" || !KEY_ID.test(id))
    throw new Error(`${where}: "id" must be 1-64 of A-Z a-z 0-9 _ . -`);
  if ((hash === undefined) === (key === undefined))
    throw new Error(`${where} (${id}): give exactly one of "hash" or "key"`);
  if (hash !== undefined && (typeof hash !== "string" || !hash.toLowerCase().startsWith("sha256:")))
    throw new Error(`${where} (${id}): "hash" must be sha256:<64 hex digits>`);
  if (key !== undefined && typeof key !== "string")
    throw new Error(`${where} (${id}): "key" must be a string`);
  if (!Array.isArray(scopes) || scopes.length === 0)
    throw new Error(`${where} (${id}): "scopes" must be a non-empty list`);

  const granted = new Set<Scope>();
  for (const scope of scopes) {
    if (!isScope(scope))
      throw new Error(
        `${where} (${id}): unknown scope ${JSON.stringify(String(scope).slice(0, 32))}`,
      );
    granted.add(scope);
  }
  return parseKeyEntry((hash ?? key) as string, `${where} (${id})`, granted, id);
}

/** The keys of the environment (every scope) and of the file together, checked for clashes. */
export function buildKeyring(envEntries: string[], keysFile: string | undefined): ApiKeyring {
  const fromEnv = ApiKeyring.fromEntries(envEntries).list();
  const fromFile = keysFile === undefined ? [] : loadKeyFile(keysFile);
  return ApiKeyring.fromKeys([...fromEnv, ...fromFile]);
}
