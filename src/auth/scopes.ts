/**
 * What each credential may do. API keys carry scopes; a JWT (a browser's own token) may only
 * mint tickets for its own subject. Routes without an entry need `admin`: a route added
 * later is closed until someone decides otherwise.
 */

export const SCOPE_NAMES = ["mint", "publish", "revoke", "admin"] as const;
export type Scope = (typeof SCOPE_NAMES)[number];

export const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPE_NAMES);
/** The only thing a JWT bearer may do. */
export const JWT_SCOPES: ReadonlySet<Scope> = new Set<Scope>(["mint"]);

export function isScope(value: unknown): value is Scope {
  return typeof value === "string" && (SCOPE_NAMES as readonly string[]).includes(value);
}

const ROUTE_SCOPES: { method: string; path: RegExp; scope: Scope }[] = [
  { method: "POST", path: /^\/api\/v1\/tickets$/, scope: "mint" },
  { method: "POST", path: /^\/api\/v1\/channels\/[^/]+\/messages$/, scope: "publish" },
  { method: "DELETE", path: /^\/api\/v1\/subjects\/[^/]+\/sessions$/, scope: "revoke" },
  { method: "DELETE", path: /^\/api\/v1\/sessions\/[^/]+$/, scope: "revoke" },
];

/** The scope a request needs, from its method and its path (without query). */
export function requiredScope(method: string, path: string): Scope {
  for (const route of ROUTE_SCOPES)
    if (route.method === method && route.path.test(path)) return route.scope;
  return "admin";
}
