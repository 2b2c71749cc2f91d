/**
 * Conformance checks of the abuse limits. They spend the runner's own budget (its address
 * is refused for up to a minute afterwards), so the runner puts them last.
 */
import { callApi, rawRequest, upgradeHeaders, type Answer } from "./client.ts";
import { CheckSkipped, ensure, ensureClosed, ensureProblem, type Check } from "./check.ts";

/** Sends requests until one answers 429 or `attempts` are spent; returns it and the count. */
async function untilLimited(
  attempts: number,
  send: () => Promise<Answer>,
): Promise<[Answer | undefined, number]> {
  for (let i = 1; i <= attempts; i++) {
    const answer = await send();
    if (answer.status === 429) return [answer, i];
  }
  return [undefined, attempts];
}

function ensureRetryAfter(answer: Answer): void {
  const seconds = Number(answer.headers["retry-after"]);
  ensure(Number.isInteger(seconds) && seconds >= 1, "429 lacks a Retry-After of whole seconds");
}

export const limitChecks: Check[] = [
  {
    id: "auth-failure-limit",
    title: "repeated failed authentications from one address end in 429 with Retry-After",
    async run({ target, options }) {
      if (options.authLimitAttempts <= 0) throw new CheckSkipped("--auth-limit-attempts 0");
      const bogus = `conformance-bogus-${crypto.randomUUID()}`;
      const body = JSON.stringify({ subject: "conformance" });
      const [limited, count] = await untilLimited(options.authLimitAttempts, () =>
        callApi(target, "/api/v1/tickets", { bearer: bogus, body }),
      );
      ensure(limited, `no 429 after ${count} failed authentications`);
      ensureProblem(limited, 429, [bogus]);
      ensureRetryAfter(limited);
      const locked = await callApi(target, "/api/v1/tickets", { body });
      ensure(
        locked.status === 429,
        "a valid key from the same address was let through while limited",
      );
      return `429 after ${count}`;
    },
  },
  {
    id: "upgrade-limit",
    title:
      "repeated upgrades from one address end in 429 with Retry-After, before any ticket is looked at",
    async run({ target, options }) {
      if (options.upgradeLimitAttempts <= 0)
        throw new CheckSkipped("no --upgrade-limit-attempts given");
      const [limited, count] = await untilLimited(options.upgradeLimitAttempts, () =>
        rawRequest(target, "/ws?ticket=tgt_conformance", upgradeHeaders()),
      );
      ensure(limited, `no 429 after ${count} upgrades`);
      ensureProblem(limited, 429);
      ensureRetryAfter(limited);
      ensureClosed(limited);
      return `429 after ${count}`;
    },
  },
];
