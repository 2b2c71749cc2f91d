/** Fetches the spec a real server serves, after traffic, and renders it as stable YAML. */
import { startGateway } from "./gateway.ts";

/**
 * Elysia finishes schemas on a route's first request, so every route is exercised once
 * before the spec is read; the served document must not depend on traffic.
 */
export async function servedSpec(): Promise<Record<string, unknown>> {
  const gw = await startGateway();
  try {
    await gw.mint();
    const spec = (await (await fetch(`${gw.url}/swagger/json`)).json()) as Record<string, unknown>;
    return spec;
  } finally {
    await gw.stop();
  }
}

export function specToYaml(spec: unknown): string {
  return Bun.YAML.stringify(spec, null, 2) + "\n";
}
