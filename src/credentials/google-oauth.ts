/**
 * Google OAuth for Vertex AI (wire-formats.md §5.3): an access token for the cloud-platform scope, from a
 * service account key (Cody's base64 `accessToken`), workload identity federation (an `external_account`
 * file or JSON) or Application Default Credentials, sent as `authorization: Bearer …`.
 *
 * google-auth-library keeps the token: one fetch shared by concurrent callers (`refreshTokenPromises` for
 * service accounts, `#pendingAccessToken` for external accounts), reused until `refreshBeforeExpiryMs`
 * before it expires. It always posts service-account assertions to oauth2.googleapis.com with that URL as
 * the JWT audience; the key's own `token_uri` (private or restricted Google endpoints, test servers) is
 * honoured here by redirecting that request and setting `aud` to it, as Google's Go and Python libraries do.
 * Clients come from each credential type's own constructor (JWT, IdentityPoolClient, …): GoogleAuth's
 * `credentials`/`keyFilename` options are deprecated and warn on every use; it is kept for ADC only.
 */
import { readFile } from "node:fs/promises";
import {
  type AuthClient,
  AwsClient,
  type AwsClientOptions,
  ExternalAccountAuthorizedUserClient,
  type ExternalAccountAuthorizedUserClientOptions,
  GoogleAuth,
  IdentityPoolClient,
  type IdentityPoolClientOptions,
  JWT,
  type OAuth2ClientOptions,
  PluggableAuthClient,
  type PluggableAuthClientOptions,
} from "google-auth-library";
import { GatewayError } from "../errors/index.js";
import { type AttemptSigner, abortable } from "./signer.js";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

export type GoogleCredentialSource =
  | { kind: "service-account-json"; json: string /* decoded from base64 accessToken */ }
  /** `credentialsJSON` may be the JSON itself or base64 of it (Cody's googleWorkloadIdentityConfig). */
  | { kind: "workload-identity"; credentialsFile?: string; credentialsJSON?: string }
  | { kind: "adc" };

export interface GoogleOAuthOptions {
  scopes?: string[];
  /** The fetch token requests go through (default: google-auth-library's, which honours HTTPS_PROXY). */
  fetchImpl?: typeof fetch;
  /** Fetch a new token this long before the current one expires (default: the library's 5 minutes). */
  refreshBeforeExpiryMs?: number;
}

export type GoogleOAuthSigner = AttemptSigner & {
  /** Access tokens fetched so far (for tests and metrics): one per expiry, not one per request. */
  tokenFetches(): number;
};

type Json = Record<string, unknown>;
/** What every client type takes besides its credentials. */
type ClientOptions = Pick<OAuth2ClientOptions, "eagerRefreshThresholdMillis" | "transporterOptions">;

function parseJson(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${what} is not a JSON object`);
  return value as Json;
}

/** Checked when the signer is built, so a wrong key is a config error rather than a failed request. */
function serviceAccountKey(text: string): Json {
  const key = parseJson(text, "the service account key");
  if (key.type !== undefined && key.type !== "service_account") {
    throw new Error(
      `the service account key has type ${String(key.type)}, not service_account (workload identity goes in googleWorkloadIdentityConfig)`,
    );
  }
  if (typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    throw new Error("the service account key lacks client_email or private_key");
  }
  return key;
}

/**
 * A service account's JWT client. google-auth-library posts the assertion to oauth2.googleapis.com with
 * that URL as `aud`; a key whose `token_uri` names another endpoint gets both redirected to it.
 */
function useTokenUri(client: JWT, tokenUri: unknown): void {
  if (typeof tokenUri !== "string" || tokenUri === "" || tokenUri === GOOGLE_TOKEN_URL) return;
  const target = new URL(tokenUri);
  client.additionalClaims = { ...client.additionalClaims, aud: tokenUri };
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (String(config.url) === GOOGLE_TOKEN_URL) config.url = target;
      return config;
    },
  });
}

function jwtClient(key: Json, scopes: string[], clientOptions: ClientOptions): JWT {
  const client = new JWT({
    ...clientOptions,
    email: key.client_email as string,
    key: key.private_key as string,
    ...(typeof key.private_key_id === "string" ? { keyId: key.private_key_id } : {}),
    ...(typeof key.universe_domain === "string" ? { universeDomain: key.universe_domain } : {}),
    scopes,
  });
  useTokenUri(client, key.token_uri);
  return client;
}

/** The type-specific client of a workload identity config (what `ExternalAccountClient.fromJSON` picks). */
function externalAccountClient(config: Json, scopes: string[], clientOptions: ClientOptions): AuthClient {
  const options = { ...config, ...clientOptions, scopes };
  if (config.type === "external_account_authorized_user") {
    return new ExternalAccountAuthorizedUserClient(
      options as unknown as ExternalAccountAuthorizedUserClientOptions,
    );
  }
  if (config.type !== "external_account") {
    throw new Error(`the workload identity config has type ${String(config.type)}, not external_account`);
  }
  const source = (config.credential_source ?? {}) as Json;
  if (source.environment_id) return new AwsClient(options as unknown as AwsClientOptions);
  if (source.executable) return new PluggableAuthClient(options as unknown as PluggableAuthClientOptions);
  return new IdentityPoolClient(options as unknown as IdentityPoolClientOptions);
}

/** A token request's failure as a gateway error; the request itself (it carries the signed assertion) is dropped. */
function tokenFailure(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const failure = error as { code?: unknown; name?: unknown; response?: { status?: unknown } } | undefined;
  const status = failure?.response?.status;
  const message = error instanceof Error ? error.message : String(error);
  // A token endpoint that answered 4xx refused the credentials; one that failed or could not be reached did not.
  const unreachable =
    typeof status === "number"
      ? status >= 500
      : (typeof failure?.code === "string" && /^E[A-Z]/.test(failure.code)) || failure?.name === "TypeError";
  return new GatewayError(
    unreachable ? "upstream_error" : "upstream_auth_failed",
    `Google OAuth could not get an access token: ${message}`,
  );
}

/**
 * Signs each attempt with `authorization: Bearer <token>`. Credentials are read on the first attempt
 * (ADC may look at the environment, files and the metadata server), then kept.
 */
export function createGoogleOAuthSigner(
  source: GoogleCredentialSource,
  options: GoogleOAuthOptions = {},
): GoogleOAuthSigner {
  let fetches = 0;
  const scopes = options.scopes ?? [CLOUD_PLATFORM_SCOPE];
  const clientOptions: ClientOptions = {
    ...(options.refreshBeforeExpiryMs === undefined
      ? {}
      : { eagerRefreshThresholdMillis: options.refreshBeforeExpiryMs }),
    ...(options.fetchImpl ? { transporterOptions: { fetchImplementation: options.fetchImpl } } : {}),
  };
  const serviceAccount = source.kind === "service-account-json" ? serviceAccountKey(source.json) : undefined;
  const workloadJson =
    source.kind === "workload-identity" && source.credentialsJSON
      ? source.credentialsJSON.trim().startsWith("{")
        ? source.credentialsJSON
        : Buffer.from(source.credentialsJSON.trim(), "base64").toString("utf8")
      : undefined;
  if (source.kind === "workload-identity" && !workloadJson && !source.credentialsFile) {
    throw new Error("workload identity needs credentialsFile or credentialsJSON");
  }

  async function prepare(): Promise<AuthClient> {
    let client: AuthClient;
    if (serviceAccount) {
      client = jwtClient(serviceAccount, scopes, clientOptions);
    } else if (source.kind === "workload-identity") {
      const text = workloadJson ?? (await readFile(source.credentialsFile!, "utf8"));
      client = externalAccountClient(parseJson(text, "the workload identity config"), scopes, clientOptions);
    } else {
      // ADC: GOOGLE_APPLICATION_CREDENTIALS, gcloud's file, or the metadata server.
      const auth = new GoogleAuth({ scopes, clientOptions });
      client = await auth.getClient();
      if (client instanceof JWT)
        useTokenUri(client, (auth.jsonContent as { token_uri?: unknown } | null)?.token_uri);
    }
    client.on("tokens", () => {
      fetches++;
    });
    return client;
  }

  let client: ReturnType<typeof prepare> | undefined;
  const ready = () => {
    client ??= prepare().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };

  const sign: AttemptSigner = async (_request, signal) => {
    const token = await abortable(
      ready()
        .then((authClient) => authClient.getAccessToken())
        .then(({ token }) => {
          if (!token) throw new Error("the token response has no access_token");
          return token;
        })
        .catch((error: unknown) => {
          throw tokenFailure(error);
        }),
      signal,
    );
    return { authorization: `Bearer ${token}` };
  };
  return Object.assign(sign, { tokenFetches: () => fetches });
}
