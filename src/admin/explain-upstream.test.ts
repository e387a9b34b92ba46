import { describe, expect, it } from "vitest";
import type { CredentialMode } from "../config/index.js";
import type { CallCredential } from "../credentials/call-credential.js";
import type { UpstreamEndpoint, UpstreamTarget } from "../providers/types.js";
import { describeTarget } from "./explain-upstream.js";

const key = "sk-live-explain-0123456789";
const credential = (mode: CredentialMode): CallCredential => ({ key: undefined, mode, origin: "config" });
const sign = async () => ({});
const target = (endpoint: UpstreamEndpoint, secrets = [key]): UpstreamTarget => ({
  endpoints: [endpoint],
  secrets,
});

describe("describeTarget (explain's endpoints)", () => {
  it.each([
    [
      "bearer",
      target({ url: "https://api.example/v1/chat", headers: { authorization: `Bearer ${key}` } }),
      "config-key",
      { scheme: "bearer", headers: ["authorization"] },
    ],
    [
      "a key header",
      target({
        url: "https://api.example/v1/messages",
        headers: { "x-api-key": key, "anthropic-version": "1" },
      }),
      "config-key",
      { scheme: "header-key", headers: ["x-api-key"] },
    ],
    [
      "configured headers",
      target({ url: "https://api.example/v1", headers: { "x-a": key, "x-b": "other-secret" } }, [
        key,
        "other-secret",
      ]),
      "headers",
      { scheme: "header-key", headers: ["x-a", "x-b"] },
    ],
    [
      "a query key",
      target({ url: `https://api.example/v1/chat?key=${key}`, headers: {} }),
      "config-key",
      { scheme: "query-key", query: "key" },
    ],
    [
      "SigV4",
      target({ url: "https://bedrock.example/model/m/converse", headers: {}, sign }),
      "aws-static",
      { scheme: "aws-sigv4" },
    ],
    [
      "Google OAuth",
      target({ url: "https://vertex.example/m:generateContent", headers: {}, sign }, []),
      "google-adc",
      { scheme: "google-oauth" },
    ],
    [
      "no key",
      target({ url: "http://127.0.0.1:11434/v1/chat", headers: {} }, []),
      "none",
      { scheme: "none" },
    ],
  ] as const)("%s", (_name, given, mode, auth) => {
    const [endpoint] = describeTarget(given, credential(mode));
    expect(endpoint?.auth).toEqual(auth);
    expect(JSON.stringify(endpoint)).not.toContain(key);
  });

  it("scrubs keys and user info from URLs, lists header names only, and adds a different stream URL", () => {
    const plain = target({
      url: `https://user:pass@api.example/v1/m:generate?key=${key}`,
      headers: { "x-k": key },
    });
    const streaming = target({
      url: `https://api.example/v1/m:streamGenerate?alt=sse&key=${key}`,
      headers: {},
    });
    const [endpoint] = describeTarget(plain, credential("config-key"), streaming);
    expect(endpoint).toEqual({
      url: "https://api.example/v1/m:generate?key=[redacted]",
      streamUrl: "https://api.example/v1/m:streamGenerate?alt=sse&key=[redacted]",
      headers: ["x-k"],
      auth: { scheme: "header-key", headers: ["x-k"] },
    });
    const same = describeTarget(plain, credential("config-key"), plain)[0];
    expect(same?.streamUrl).toBeUndefined();
  });
});
