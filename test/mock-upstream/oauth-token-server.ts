/**
 * A local Google OAuth token endpoint for tests (node:http on 127.0.0.1):
 * - `POST /token`: the service-account JWT-bearer grant (wire-formats.md §5.3). The assertion's RS256
 *   signature is checked with the public key of a service account made by `serviceAccount()`, whose JSON
 *   points `token_uri` here; `iss`, `aud` (this endpoint), `scope` and `exp` are checked too.
 * - `POST /sts`: the STS token exchange of workload identity federation (`external_account` credentials
 *   whose `token_url` points here), for a subject token registered with `subjectToken()`.
 * It counts the requests it receives, so tests can tell one fetch per expiry from one per request.
 */

import { generateKeyPairSync, type KeyObject, randomUUID, verify } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

export interface TestServiceAccount {
  email: string;
  /** The service account key file's JSON text (`type: service_account`, `token_uri` → this server). */
  json: string;
}

export interface OAuthTokenServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly tokenUri: string;
  readonly stsUri: string;
  /** Lifetime of the tokens issued from now on, in seconds. */
  expiresIn: number;
  /** Delay before each answer, so concurrent callers overlap with a fetch in flight. */
  delayMs: number;
  /** Token requests received, refused ones included. */
  fetches(): number;
  /** Why requests were refused, in order. */
  readonly refusals: string[];
  /** A new service account (fresh RSA key pair) whose assertions this server accepts. */
  serviceAccount(email?: string): TestServiceAccount;
  /** Accept `token` as an STS subject token. */
  subjectToken(token: string): void;
  /** True for an access token this server issued that has not expired. */
  accepts(accessToken: string): boolean;
  close(): Promise<void>;
}

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  request.setEncoding("utf8");
  for await (const chunk of request) body += chunk as string;
  return new URLSearchParams(body);
}

export async function startOAuthTokenServer(
  options: { expiresIn?: number; delayMs?: number } = {},
): Promise<OAuthTokenServer> {
  const publicKeys = new Map<string, KeyObject>();
  const subjectTokens = new Set<string>();
  const issued = new Map<string, number>();
  const refusals: string[] = [];
  let fetches = 0;

  const state = { expiresIn: options.expiresIn ?? 3600, delayMs: options.delayMs ?? 0 };

  function issue(response: ServerResponse, extra: Record<string, unknown> = {}): void {
    const accessToken = `ya29.mock-${issued.size + 1}-${randomUUID()}`;
    issued.set(accessToken, Date.now() + state.expiresIn * 1000);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        access_token: accessToken,
        expires_in: state.expiresIn,
        token_type: "Bearer",
        ...extra,
      }),
    );
  }

  function refuse(response: ServerResponse, reason: string): void {
    refusals.push(reason);
    response.writeHead(400, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: "invalid_grant", error_description: reason }));
  }

  /** The reason the assertion is refused, or undefined when it is good. */
  function checkAssertion(assertion: string): string | undefined {
    const [headerPart = "", payloadPart = "", signaturePart = ""] = assertion.split(".");
    const header = base64UrlJson(headerPart);
    const claims = base64UrlJson(payloadPart);
    if (!header || !claims) return "the assertion is not a JWT";
    if (header.alg !== "RS256") return `unexpected alg ${String(header.alg)}`;
    const key = publicKeys.get(String(claims.iss));
    if (!key) return `unknown issuer ${String(claims.iss)}`;
    const signed = verify(
      "RSA-SHA256",
      Buffer.from(`${headerPart}.${payloadPart}`),
      key,
      Buffer.from(signaturePart, "base64url"),
    );
    if (!signed) return "invalid JWT signature";
    if (claims.aud !== server.tokenUri) return `aud ${String(claims.aud)} is not ${server.tokenUri}`;
    if (
      !String(claims.scope ?? "")
        .split(" ")
        .includes(CLOUD_PLATFORM_SCOPE)
    )
      return "scope lacks cloud-platform";
    const now = Date.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp < now) return "the assertion expired";
    if (typeof claims.iat !== "number" || claims.iat > now + 60) return "the assertion is from the future";
    return undefined;
  }

  const http = createServer((request, response) => {
    void (async () => {
      if (request.method !== "POST") {
        response.writeHead(405).end();
        return;
      }
      fetches++;
      const form = await readForm(request);
      if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      if (request.url === "/token") {
        if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
          return refuse(response, `unsupported grant_type ${form.get("grant_type")}`);
        }
        const reason = checkAssertion(form.get("assertion") ?? "");
        return reason === undefined ? issue(response) : refuse(response, reason);
      }
      if (request.url === "/sts") {
        if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange") {
          return refuse(response, `unsupported grant_type ${form.get("grant_type")}`);
        }
        if (!subjectTokens.has(form.get("subject_token") ?? ""))
          return refuse(response, "unknown subject token");
        return issue(response, { issued_token_type: "urn:ietf:params:oauth:token-type:access_token" });
      }
      response.writeHead(404).end();
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const { port } = http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const server: OAuthTokenServer = {
    url,
    tokenUri: `${url}/token`,
    stsUri: `${url}/sts`,
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(value: number) {
      state.expiresIn = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    fetches: () => fetches,
    refusals,
    serviceAccount(email = `tollgate-${publicKeys.size + 1}@test-project.iam.gserviceaccount.com`) {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      publicKeys.set(email, publicKey);
      const json = JSON.stringify({
        type: "service_account",
        project_id: "test-project",
        private_key_id: randomUUID().replace(/-/g, ""),
        private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        client_email: email,
        client_id: "123456789012345678901",
        auth_uri: "https://accounts.google.com/o/oauth2/auth",
        token_uri: `${url}/token`,
      });
      return { email, json };
    },
    subjectToken(token) {
      subjectTokens.add(token);
    },
    accepts(accessToken) {
      const expiry = issued.get(accessToken);
      return expiry !== undefined && expiry > Date.now();
    },
    async close() {
      http.closeAllConnections();
      http.close();
      await once(http, "close");
    },
  };
  return server;
}
