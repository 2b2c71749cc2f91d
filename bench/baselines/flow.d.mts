/** Types of flow.mjs, which stays plain JavaScript so Node 20 runs it without a build. */

export interface Grant {
  subject: string;
  channels: string[];
}

export declare const TICKET_TTL_SECONDS: number;
export declare const MAX_BODY_BYTES: number;
export declare const MINT_PATH: string;
export declare const WS_PATH: string;
export declare const PUBLISH_PATH: RegExp;

export declare function parseServerArgs(argv: string[]): {
  port: number;
  host: string;
  apiKeys: string[];
};
export declare function logListening(port: number | undefined): void;
export declare function createKeyCheck(apiKeys: string[]): (header: unknown) => boolean;
export declare function createTicketBook(): {
  mint(subject: string, channels: string[]): { ticket: string; expiresAt: number };
  consume(ticket: string | null): (Grant & { expiresAt: number }) | undefined;
};
export declare function parseMintBody(text: string): Grant | undefined;
export declare function mintAnswer(minted: { ticket: string; expiresAt: number }): string;
export declare function problemBody(status: number, title: string): string;
export declare function welcomeFrame(grant: Grant): string;
export declare function messageFrame(channel: string, data: unknown): string;
export declare function readClientFrame(
  text: string,
  grant: Grant,
): { join?: string; reply: string };
export declare function parsePublishBody(text: string): { data: unknown } | undefined;
