// The demo page's script: plain JavaScript on top of the SDK, no build step.
import { TicketgateClient } from "/demo/sdk.js";

/** Tickets minted here live this long; the SDK fetches a new one for every attempt anyway. */
const DEMO_TICKET_TTL_SECONDS = 20;
/** Retries before the page gives up, so a wrong key does not spin forever. */
const DEMO_MAX_ATTEMPTS = 5;
const KEY_STORAGE = "ticketgate-demo-api-key";

const CLOSE_MEANINGS = {
  1000: "closed normally",
  1001: "server going away (restart): the SDK reconnects",
  1003: "binary frame refused",
  1006: "connection lost without a close frame",
  1008: "rate policy broken",
  1009: "frame too big",
  4001: "revoked: the SDK does not reconnect",
  4002: "session expired: the SDK fetches a fresh ticket and reconnects",
  4003: "slow consumer: the SDK reconnects",
};

const $ = (id) => document.getElementById(id);
const ui = {
  apiKey: $("api-key"),
  remember: $("remember-key"),
  subject: $("subject"),
  channels: $("channels"),
  connect: $("connect"),
  disconnect: $("disconnect"),
  ping: $("ping"),
  state: $("state"),
  sessionInfo: $("session-info"),
  channel: $("channel"),
  message: $("message"),
  subscribe: $("subscribe"),
  unsubscribe: $("unsubscribe"),
  publish: $("publish"),
  revoke: $("revoke"),
  messages: $("messages"),
  log: $("log"),
};

// The key lives in this variable; sessionStorage only when the person ticks the box.
let apiKey = sessionStorage.getItem(KEY_STORAGE) ?? "";
ui.apiKey.value = apiKey;
ui.remember.checked = apiKey !== "";
let client;
let session;

function rememberKey() {
  apiKey = ui.apiKey.value.trim();
  if (ui.remember.checked && apiKey) sessionStorage.setItem(KEY_STORAGE, apiKey);
  else sessionStorage.removeItem(KEY_STORAGE);
}

function append(list, text, className) {
  const item = document.createElement("li");
  item.textContent = text;
  if (className) item.className = className;
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function log(text, className) {
  append(ui.log, `${new Date().toLocaleTimeString()}  ${text}`, className);
}

/** Shows only the start of a ticket: enough to tell tickets apart, useless to an onlooker. */
const mask = (ticket) => `${ticket.slice(0, 8)}…`;

function grantedChannels() {
  return ui.channels.value
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
}

async function problemDetail(response) {
  const body = await response.json().catch(() => ({}));
  return body.detail ?? response.statusText;
}

/** Demo only: a real app asks its own backend, which holds the key. */
async function mintTicket() {
  const response = await fetch("/api/v1/tickets", {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      subject: ui.subject.value.trim(),
      channels: grantedChannels(),
      metadata: { via: "demo page" },
      ttl_seconds: DEMO_TICKET_TTL_SECONDS,
    }),
    cache: "no-store",
  });
  if (!response.ok) {
    log(`ticket refused: ${response.status} ${await problemDetail(response)}`, "error");
    if (response.status === 401) return null; // a wrong key will not get better: stop
    throw new Error(`mint answered ${response.status}`);
  }
  const { ticket, expires_in } = await response.json();
  log(`ticket ${mask(ticket)} minted (single use, valid ${expires_in} s)`);
  return ticket;
}

function setConnected(open) {
  for (const button of [ui.ping, ui.subscribe, ui.unsubscribe, ui.publish]) button.disabled = !open;
}

function describeSender(from) {
  if (from === "server") return "server";
  const mine = session && from.session === session.session;
  return mine ? `${from.subject} (you)` : from.subject;
}

function connect() {
  rememberKey();
  if (!apiKey) {
    log(
      "enter an API key first (the server printed one at start-up if none was configured)",
      "error",
    );
    return;
  }
  client?.close();
  client = new TicketgateClient({
    url: "/ws",
    getTicket: mintTicket,
    reconnect: { initialDelayMs: 500, maxDelayMs: 5000, maxAttempts: DEMO_MAX_ATTEMPTS },
  });
  client.on("state", ({ state }) => {
    ui.state.textContent = state;
    ui.state.dataset.state = state;
    setConnected(state === "open");
    ui.connect.disabled = state !== "closed" && state !== "idle";
    ui.disconnect.disabled = state === "closed";
    if (state !== "open") ui.sessionInfo.textContent = "Not connected.";
    log(`state: ${state}`);
  });
  client.on("welcome", (welcome) => {
    session = welcome;
    const grants = welcome.channels.map((c) =>
      typeof c === "string" ? c : `${c.pattern} (read only)`,
    );
    ui.sessionInfo.textContent = `Session ${welcome.session} as ${welcome.subject}; channels: ${grants.join(", ") || "none"}`;
    log(`welcome: session ${welcome.session}`);
  });
  client.on("close", ({ code, willReconnect }) =>
    log(
      `closed ${code}: ${CLOSE_MEANINGS[code] ?? "see the close codes in the README"}`,
      willReconnect ? "" : "error",
    ),
  );
  client.on("reconnecting", ({ attempt, delayMs }) =>
    log(`retry ${attempt} in ${delayMs} ms (jittered back-off)`),
  );
  client.on("error", (error) => log(`${error.code}: ${error.message}`, "error"));
  client.connect().catch(() => {});
}

async function run(action) {
  try {
    await action();
  } catch (error) {
    log(`${error.code ?? "error"}: ${error.message}`, "error");
  }
}

ui.connect.addEventListener("click", connect);
ui.disconnect.addEventListener("click", () => client?.close());
ui.apiKey.addEventListener("change", rememberKey);
ui.remember.addEventListener("change", rememberKey);

ui.ping.addEventListener("click", () =>
  run(async () => log(`pong after ${await client.ping()} ms`)),
);

ui.subscribe.addEventListener("click", () =>
  run(async () => {
    const channel = ui.channel.value.trim();
    await client.subscribe(channel, (data, message) =>
      append(
        ui.messages,
        `[${channel}] ${describeSender(message.from)}: ${typeof data?.text === "string" ? data.text : JSON.stringify(data)}`,
        message.from !== "server" && message.from.session === session?.session ? "mine" : "",
      ),
    );
    log(`subscribed to ${channel}`);
  }),
);

ui.unsubscribe.addEventListener("click", () =>
  run(async () => {
    const channel = ui.channel.value.trim();
    await client.unsubscribe(channel);
    log(`unsubscribed from ${channel}`);
  }),
);

function publish() {
  return run(async () => {
    const channel = ui.channel.value.trim();
    await client.publish(channel, { text: ui.message.value });
    log(`published to ${channel}`);
  });
}
ui.publish.addEventListener("click", publish);
ui.message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !ui.publish.disabled) publish();
});

ui.revoke.addEventListener("click", () =>
  run(async () => {
    rememberKey();
    const subject = ui.subject.value.trim();
    const response = await fetch(`/api/v1/subjects/${encodeURIComponent(subject)}/sessions`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${apiKey}` },
      cache: "no-store",
    });
    if (response.ok) log(`revoked the sessions of ${subject}`);
    else log(`revoke refused: ${response.status} ${await problemDetail(response)}`, "error");
  }),
);
