/** Writes the served OpenAPI document to openapi.yaml, the committed contract. */
import { servedSpec, specToYaml } from "../tests/helpers/openapi.ts";

const spec = await servedSpec();
await Bun.write(new URL("../openapi.yaml", import.meta.url), specToYaml(spec));
console.log("openapi.yaml written");
