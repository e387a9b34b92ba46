import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorCatalogue } from "./catalogue.js";
import { errorBody } from "./error-body.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("the error catalogue", () => {
  it.each(Object.entries(errorCatalogue))(
    "`%s` is documented in the README with its status",
    (code, spec) => {
      expect(readme).toContain(`| \`${code}\` | ${spec.status} | ${spec.fault} |`);
    },
  );

  it("renders one error alike in both dialects' shapes, with the dialect's type for the status", () => {
    expect(errorBody("openai", { code: "model_not_allowed", message: "no", param: "model" })).toEqual({
      error: { message: "no", type: "permission_error", code: "model_not_allowed", param: "model" },
    });
    expect(errorBody("anthropic", { code: "upstream_overloaded", message: "busy" })).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "busy" },
    });
    expect(errorBody("anthropic", { code: "body_too_large", message: "big" })).toMatchObject({
      error: { type: "request_too_large" },
    });
    expect(errorBody("anthropic", { code: "upstream_timeout", message: "slow" })).toMatchObject({
      error: { type: "timeout_error" },
    });
  });
});
