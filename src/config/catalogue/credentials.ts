import type { Environment } from "../load/interpolate.js";
import type { KeyPolicy, ProviderServerSideConfig } from "../schema/model-configuration.js";
import { Secret } from "../secret.js";
import { KEY_ENV_VARS } from "./builtin.js";
import type { CredentialMode, GoogleApi } from "./types.js";

export interface CredentialResolution {
  mode: CredentialMode;
  source?: string;
  centralKey?: Secret;
  available: boolean;
  /** Why the provider cannot be used, or why the result may surprise: reported as a warning. */
  warning?: string;
  /** A value that can never work: reported as an error at `errorPath` (relative to serverSideConfig). */
  error?: { path: (string | number)[]; message: string };
  googleApi?: GoogleApi;
  region?: string;
}

/** DESIGN §8: Vertex by path or host; Vertex-Anthropic when the endpoint mentions anthropic (Cody's rule). */
export function googleApiOf(endpoint: string | undefined): GoogleApi {
  if (!endpoint) return "gemini";
  let host = "";
  try {
    host = new URL(endpoint).hostname;
  } catch {}
  const vertex =
    /\/projects\/[^/]+\/locations\//.test(endpoint) || host.endsWith("aiplatform.googleapis.com");
  if (endpoint.includes("anthropic")) return "vertex-anthropic";
  return vertex ? "vertex" : "gemini";
}

const nonEmpty = (secret: Secret | undefined) => (secret && !secret.isEmpty ? secret : undefined);

function fromEnv(env: Environment, name: string | undefined): Secret | undefined {
  const value = name ? env[name] : undefined;
  return value ? new Secret(value) : undefined;
}

function bedrockRegion(config: Extract<ProviderServerSideConfig, { type: "awsBedrock" }>, env: Environment) {
  if (config.region) return config.region;
  const endpoint = config.endpoint ?? "";
  if (endpoint && !endpoint.includes("://")) return endpoint;
  const fromHost = /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(endpoint)?.[1];
  return fromHost ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
}

function central(config: ProviderServerSideConfig, env: Environment): CredentialResolution {
  switch (config.type) {
    case "awsBedrock": {
      const region = bedrockRegion(config, env);
      const token = nonEmpty(config.accessToken);
      if (token) {
        const parts = token.reveal().split(":");
        if (parts.length === 1)
          return { mode: "aws-bearer", centralKey: token, available: true, region: region ?? "us-east-1" };
        if ((parts.length === 2 || parts.length === 3) && parts.every((part) => part !== "")) {
          return region
            ? { mode: "aws-static", centralKey: token, available: true, region }
            : {
                mode: "aws-static",
                available: false,
                error: {
                  path: ["region"],
                  message:
                    "SigV4 keys need a region: set `region` in serverSideConfig (or a region code as `endpoint`), or AWS_REGION",
                },
              };
        }
        return {
          mode: "missing",
          available: false,
          error: {
            path: ["accessToken"],
            message:
              "expected `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]`, a Bedrock API key (no `:`), or empty for the AWS credential chain",
          },
        };
      }
      const bearer = fromEnv(env, "AWS_BEARER_TOKEN_BEDROCK");
      if (bearer)
        return {
          mode: "aws-bearer",
          centralKey: bearer,
          source: "AWS_BEARER_TOKEN_BEDROCK",
          available: true,
          region: region ?? "us-east-1",
        };
      if (!region) {
        return {
          mode: "aws-ambient",
          available: false,
          error: {
            path: ["region"],
            message:
              "the AWS credential chain needs a region: set `region` in serverSideConfig (or a region code as `endpoint`), or AWS_REGION",
          },
        };
      }
      return { mode: "aws-ambient", available: true, region };
    }
    case "google": {
      const googleApi = googleApiOf(config.endpoint);
      const token = nonEmpty(config.accessToken);
      if (googleApi !== "gemini") {
        if (token) return { mode: "google-service-account", centralKey: token, available: true, googleApi };
        if (config.googleWorkloadIdentityConfig)
          return { mode: "google-workload-identity", available: true, googleApi };
        return { mode: "google-adc", available: true, googleApi };
      }
      if (token) return { mode: "config-key", centralKey: token, available: true, googleApi };
      if (config.accessToken === undefined) {
        const key = fromEnv(env, "GEMINI_API_KEY");
        if (key)
          return {
            mode: "environment",
            source: "GEMINI_API_KEY",
            centralKey: key,
            available: true,
            googleApi,
          };
      }
      return {
        mode: "missing",
        available: false,
        googleApi,
        warning: "no API key: set `accessToken` or GEMINI_API_KEY",
      };
    }
    case "azureOpenAI": {
      const token = nonEmpty(config.accessToken);
      return token
        ? { mode: "config-key", centralKey: token, available: true }
        : { mode: "azure-entra", available: true };
    }
    case "openaicompatible":
    case "huggingface-tgi": {
      const keyed = config.endpoints.some((endpoint) => nonEmpty(endpoint.accessToken));
      const headers = config.endpoints.some(
        (endpoint) => endpoint.headers && Object.keys(endpoint.headers).length > 0,
      );
      return { mode: keyed ? "config-key" : headers ? "headers" : "none", available: true };
    }
    default: {
      const token = nonEmpty(config.accessToken);
      if (token) return { mode: "config-key", centralKey: token, available: true };
      const envVar = config.accessToken === undefined ? KEY_ENV_VARS[config.type] : undefined;
      const key = fromEnv(env, envVar);
      if (key) return { mode: "environment", source: envVar, centralKey: key, available: true };
      return {
        mode: "missing",
        available: false,
        warning: `no API key: set \`accessToken\`${envVar ? ` or ${envVar}` : ""}`,
      };
    }
  }
}

/**
 * How a key that did not come from the file is used (a central key set through the admin API, a caller's own
 * key): as if it were the provider's `accessToken`, so a Bedrock key is a bearer token or SigV4 keys by its
 * shape and a Vertex key is a service account. `error` when the key cannot work for this provider.
 */
export function credentialsForKey(
  config: ProviderServerSideConfig,
  key: Secret,
  env: Environment,
): CredentialResolution {
  if (config.type === "openaicompatible" || config.type === "huggingface-tgi")
    return { mode: "config-key", centralKey: key, available: true };
  return central({ ...config, accessToken: key } as ProviderServerSideConfig, env);
}

/** Central credentials first, then the key policy decides whether the provider is usable (coder-agents.md). */
export function resolveCredentials(
  config: ProviderServerSideConfig,
  policy: KeyPolicy,
  env: Environment,
): CredentialResolution {
  const result = central(config, env);
  if (result.error) return result;
  if (!policy.centralKey) {
    const ignored = "accessToken" in config && nonEmpty(config.accessToken);
    return {
      ...result,
      mode: "user-keys",
      centralKey: undefined,
      available: true,
      warning: ignored ? "`accessToken` is ignored because keyPolicy.centralKey is false" : undefined,
    };
  }
  if (!result.available && policy.allowUserKeys) {
    return { ...result, mode: "user-keys", available: true, warning: undefined };
  }
  return result;
}
