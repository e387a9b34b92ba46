import { describe, expect, test } from "vitest";
import { hideValues, isSecretPath, redactSecretsInText, secretValuesIn } from "./redact.js";

describe("redactSecretsInText", () => {
  test.each([
    // Passwords in URLs that parse and URLs that do not.
    ["https://user:hunter2@api.example.com/v1", "https://user:<redacted>@api.example.com/v1"],
    ["https://user:hunter2@[bad-host/v1", "https://user:<redacted>@[bad-host/v1"],
    ["postgres://tollgate:s3cret@db:5432:bad/x", "postgres://tollgate:<redacted>@db:5432:bad/x"],
    ["redis://:hunter2@cache:6379", "redis://:<redacted>@cache:6379"],
    // An unencoded @, / or ? in the password: everything up to the last @ goes.
    ["postgres://me:p@ss/w?rd@db:bad-port/x", "postgres://me:<redacted>@db:bad-port/x"],
    // Quoted in a message: the quotes stay.
    ["`https://u:pw@[x` is not a URL", "`https://u:<redacted>@[x` is not a URL"],
    ['the string "postgres://u:pw@db"', 'the string "postgres://u:<redacted>@db"'],
    // Secret query parameters, by name, case-insensitively; others stay.
    ["https://x.test/v1?key=AIzaSy123&alt=sse", "https://x.test/v1?key=<redacted>&alt=sse"],
    [
      "https://x.test/?API_KEY=a&apikey=b&Token=c",
      "https://x.test/?API_KEY=<redacted>&apikey=<redacted>&Token=<redacted>",
    ],
    ["https://x.test/?access_token=a#x", "https://x.test/?access_token=<redacted>#x"],
    ["postgres://db/x?password=s3cret&schema=tg", "postgres://db/x?password=<redacted>&schema=tg"],
    [
      "https://b.test/o?X-Amz-Signature=ab12&sig=cd&signature=ef",
      "https://b.test/o?X-Amz-Signature=<redacted>&sig=<redacted>&signature=<redacted>",
    ],
    ["https://x.test/?secret=a&x-api-key=b", "https://x.test/?secret=<redacted>&x-api-key=<redacted>"],
    ["`https://x.test/?token=abc` must be", "`https://x.test/?token=<redacted>` must be"],
    ["otlp://u:pw@h/x?signature=SIG", "otlp://u:<redacted>@h/x?signature=<redacted>"],
    // Nothing to redact.
    ["https://user@host/v1?model=x&keyPrefix=y", "https://user@host/v1?model=x&keyPrefix=y"],
    ["sqlite:.tollgate/tollgate.db", "sqlite:.tollgate/tollgate.db"],
    [
      "model `anthropic::v1::claude-3-5-sonnet@20240620`",
      "model `anthropic::v1::claude-3-5-sonnet@20240620`",
    ],
    [
      "server.prot: unknown key `prot` (did you mean `port`?) (2:15)",
      "server.prot: unknown key `prot` (did you mean `port`?) (2:15)",
    ],
  ])("%s", (text, expected) => {
    expect(redactSecretsInText(text)).toBe(expected);
  });

  test("is idempotent, so text may pass through it twice", () => {
    const once = redactSecretsInText("postgres://u:pw@db/x?password=p&key=k");
    expect(redactSecretsInText(once)).toBe(once);
    expect(redactSecretsInText("postgres://me:***@db/x")).toBe("postgres://me:<redacted>@db/x");
  });

  test("over-redacts rather than leaks when an @ follows a host", () => {
    expect(redactSecretsInText("postgres://db:5432/x?note=a@b")).not.toContain("5432");
  });
});

test.each([
  [["modelConfiguration", "providerOverrides", 0, "serverSideConfig", "accessToken"], true],
  [["secrets", "masterKey"], true],
  [["secrets", "previousKeys", 1], true],
  [["actors", 0, "tokens", 2], true],
  [["actors", "sources", 0, "headers", "X-Api-Key"], true],
  [["actors", "sources", 0, "authorization"], true],
  [["telemetry", "metrics", "token"], true],
  [["modelConfiguration", "providerOverrides", 0, "serverSideConfig", "endpoint"], false],
  [["redis", "keyPrefix"], false],
  [["modelConfiguration", "providerOverrides", 0, "serverSideConfig", "accessTokenQuery"], false],
])("isSecretPath(%j) is %s", (path, expected) => {
  expect(isSecretPath(path)).toBe(expected);
});

test("secretValuesIn finds the strings under secret settings, not placeholders or short ones", () => {
  const document = {
    secrets: { masterKey: "c2VjcmV0LW1hc3Rlci1rZXk=" },
    modelConfiguration: {
      providerOverrides: [
        { id: "acme", serverSideConfig: { accessToken: "sk-live-123", endpoint: "https://x.test" } },
        { id: "docs", serverSideConfig: { accessToken: "<ACCESS_TOKEN>" } },
      ],
    },
    actors: [{ id: "a", tokens: ["tg_plain_token", "ab"], limits: { chat: { tokens: 1000 } } }],
  };
  expect(secretValuesIn(document).sort()).toEqual([
    "c2VjcmV0LW1hc3Rlci1rZXk=",
    "sk-live-123",
    "tg_plain_token",
  ]);
});

test("hideValues replaces every occurrence, the longer value first", () => {
  expect(hideValues("`sk-live-123` and sk-live-123456", ["sk-live-123", "sk-live-123456"])).toBe(
    "`<redacted>` and <redacted>",
  );
  expect(hideValues("a master key", ["ab"])).toBe("a master key");
});
