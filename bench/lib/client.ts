/**
 * The client half of the ticket flow, as the load generator drives it: mint over HTTP,
 * redeem in the WebSocket URL, wait for the welcome, close. Every wait has a timeout so a
 * stuck server fails a phase instead of hanging the run.
 */

/** Where a server under test listens and the key the harness started it with. */
export interface Endpoint {
  /** `http://127.0.0.1:<port>`; the harness never targets another host. */
  baseUrl: string;
  apiKey: string;
}

/** The mint body of the product flow; channels are granted only where a phase needs them. */
export interface MintRequest {
  subject: string;
  channels?: string[];
}

const MINT_PATH = "/api/v1/tickets";

/** Mints one ticket; throws with the status on anything but 201. */
export async function mintTicket(endpoint: Endpoint, body: MintRequest): Promise<string> {
  const res = await fetch(endpoint.baseUrl + MINT_PATH, {
    method: "POST",
    headers: { authorization: `Bearer ${endpoint.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`mint answered ${res.status}`);

  const ticket = (JSON.parse(text) as { ticket?: unknown }).ticket;
  if (typeof ticket !== "string") throw new Error("mint answer has no ticket");
  return ticket;
}

/** Publishes `data` to a channel through the REST push route; resolves on 202. */
export async function publishMessage(endpoint: Endpoint, channel: string, data: unknown) {
  const path = `/api/v1/channels/${encodeURIComponent(channel)}/messages`;
  const res = await fetch(endpoint.baseUrl + path, {
    method: "POST",
    headers: { authorization: `Bearer ${endpoint.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ data }),
  });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`publish answered ${res.status}`);
}

function socketUrl(endpoint: Endpoint, ticket: string): string {
  return `${endpoint.baseUrl.replace(/^http/, "ws")}/ws?ticket=${encodeURIComponent(ticket)}`;
}

/**
 * Opens a session with a ticket and resolves once the welcome frame has arrived. The
 * message listener is attached before the socket can receive anything, so the welcome
 * (sent by the server in `open`) cannot be missed.
 */
export function openSession(endpoint: Endpoint, ticket: string, timeoutMs: number) {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(socketUrl(endpoint, ticket));
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error("no welcome in time"));
    }, timeoutMs);

    ws.onmessage = (event) => {
      clearTimeout(timer);
      ws.onmessage = null;
      ws.onclose = null;
      const type = frameType(String(event.data));
      if (type === "welcome") return resolve(ws);
      ws.close();
      reject(new Error(`first frame was ${type}, not welcome`));
    };
    ws.onclose = (event) => {
      clearTimeout(timer);
      reject(new Error(`closed ${event.code} before welcome`));
    };
  });
}

/** The `type` field of a JSON frame; error messages show it, never the frame itself. */
function frameType(text: string): string {
  try {
    return String((JSON.parse(text) as { type?: unknown }).type);
  } catch {
    return "non-JSON";
  }
}

/**
 * Closes a session and resolves when the close handshake has finished: true, or false
 * when it did not finish within the timeout (the caller decides whether that is an error).
 */
export function closeSession(ws: WebSocket, timeoutMs: number): Promise<boolean> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    ws.onclose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    ws.close(1000);
  });
}
