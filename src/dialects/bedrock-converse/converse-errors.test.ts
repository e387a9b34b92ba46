import { describe, expect, it } from "vitest";
import { readHadrian } from "../../../test/fixtures-helpers/fixtures.js";
import { converseErrorToCanonical, converseErrorType } from "./converse-errors.js";

describe("Bedrock errors → canonical", () => {
  it("reads hadrian's recorded 400 with the type in x-amzn-errortype", () => {
    const fixture = readHadrian("hadrian/bedrock/bad_request.json") as ReturnType<typeof readHadrian> & {
      response: { headers: Record<string, string> };
    };
    const error = converseErrorToCanonical(
      fixture.response.status,
      fixture.response.body,
      fixture.response.headers["x-amzn-errortype"],
    );
    expect(error).toEqual({
      status: 400,
      type: "invalid_request",
      code: "ValidationException",
      message: "The provided model identifier is invalid.",
    });
  });

  it.each([
    ["ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", "ThrottlingException"],
    ["com.amazon.coral.validate#ValidationException", "ValidationException"],
    ["throttlingException", "ThrottlingException"],
    ["ModelTimeoutException", "ModelTimeoutException"],
  ])("names the type of %s", (raw, name) => {
    expect(converseErrorType(raw)).toBe(name);
  });

  it.each([
    // A stream's exception events come inside an HTTP 200: the type decides the status.
    ["validationException", 400, "invalid_request"],
    ["accessDeniedException", 403, "permission"],
    ["resourceNotFoundException", 404, "not_found"],
    ["modelTimeoutException", 408, "timeout"],
    ["throttlingException", 429, "rate_limit"],
    ["internalServerException", 500, "api_error"],
    ["serviceUnavailableException", 503, "overloaded"],
    ["modelStreamErrorException", 502, "api_error"],
    ["somethingNewException", 500, "api_error"],
  ])("a %s in a stream is %i %s", (type, status, canonical) => {
    const error = converseErrorToCanonical(200, { message: "m" }, type);
    expect(error.status).toBe(status);
    expect(error.type).toBe(canonical);
    expect(error.message).toBe("m");
  });

  it("gives a model's failure the model's own status when Bedrock passes it on", () => {
    const error = converseErrorToCanonical(
      200,
      { message: "overloaded", originalStatusCode: 529, originalMessage: "Overloaded" },
      "modelStreamErrorException",
    );
    expect(error).toMatchObject({ status: 529, type: "overloaded", code: "ModelStreamErrorException" });
    expect(converseErrorToCanonical(424, { message: "model failed" }, "ModelErrorException").status).toBe(
      502,
    );
  });

  it("classifies by the HTTP status first, reading Message, __type and text bodies", () => {
    expect(converseErrorToCanonical(403, { Message: "denied" })).toEqual({
      status: 403,
      type: "permission",
      message: "denied",
    });
    expect(
      converseErrorToCanonical(429, { __type: "ThrottlingException", message: "Rate exceeded" }),
    ).toEqual({
      status: 429,
      type: "rate_limit",
      code: "ThrottlingException",
      message: "Rate exceeded",
    });
    expect(converseErrorToCanonical(503, "Service Unavailable").message).toBe("Service Unavailable");
    expect(converseErrorToCanonical(500, undefined).message).toBe("upstream returned HTTP 500");
  });
});
