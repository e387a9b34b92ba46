import { describe, expect, it } from "vitest";
import { canonicalQuery, canonicalUri, verifySigV4 } from "./sigv4-verifier.js";

/** Vectors from AWS's Signature Version 4 test suite (aws-sig-v4-test-suite: get-vanilla, get-vanilla-query-order-key-case). */
const SUITE = {
  secrets: { AKIDEXAMPLE: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  options: { region: "us-east-1", service: "service", now: new Date("2015-08-30T12:36:00Z") },
  headers: { host: "example.amazonaws.com", "x-amz-date": "20150830T123600Z" },
  credential:
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date",
};

describe("verifySigV4", () => {
  it("accepts the AWS test suite's signatures", () => {
    const vanilla = {
      method: "GET",
      path: "/",
      query: "",
      body: "",
      headers: {
        ...SUITE.headers,
        authorization: `${SUITE.credential}, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
      },
    };
    expect(verifySigV4(vanilla, SUITE.secrets, SUITE.options)).toEqual({
      ok: true,
      accessKeyId: "AKIDEXAMPLE",
    });
    const queryOrder = {
      ...vanilla,
      query: "Param2=value2&Param1=value1",
      headers: {
        ...SUITE.headers,
        authorization: `${SUITE.credential}, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500`,
      },
    };
    expect(verifySigV4(queryOrder, SUITE.secrets, SUITE.options)).toEqual({
      ok: true,
      accessKeyId: "AKIDEXAMPLE",
    });
    expect(
      verifySigV4({ ...queryOrder, query: "Param2=value2" }, SUITE.secrets, SUITE.options),
    ).toMatchObject({
      ok: false,
    });
    expect(verifySigV4({ ...vanilla, method: "POST" }, SUITE.secrets, SUITE.options)).toMatchObject({
      ok: false,
    });
  });

  it("refuses what a server would refuse before the signature", () => {
    const base = { method: "GET", path: "/", query: "", body: "" };
    const check = (headers: Record<string, string>) =>
      verifySigV4({ ...base, headers }, SUITE.secrets, SUITE.options);
    expect(check(SUITE.headers)).toEqual({ ok: false, reason: "no authorization header" });
    expect(check({ ...SUITE.headers, authorization: "Bearer x" })).toMatchObject({ ok: false });
    expect(
      check({
        ...SUITE.headers,
        authorization: `${SUITE.credential.replace("AKIDEXAMPLE", "AKIDOTHER")}, Signature=${"0".repeat(64)}`,
      }),
    ).toEqual({ ok: false, reason: "unknown access key id AKIDOTHER" });
    expect(
      check({
        ...SUITE.headers,
        "x-amz-security-token": "unsigned",
        authorization: `${SUITE.credential}, Signature=${"0".repeat(64)}`,
      }),
    ).toEqual({ ok: false, reason: "x-amz-security-token is sent but not signed" });
  });

  it("canonicalises paths and queries as SigV4 does for services other than S3", () => {
    expect(canonicalUri("/model/us.anthropic.claude-v1%3A0/converse")).toBe(
      "/model/us.anthropic.claude-v1%253A0/converse",
    );
    expect(canonicalUri("/a/./b/../c//d/")).toBe("/a/c/d/");
    expect(canonicalUri("/")).toBe("/");
    expect(canonicalQuery("b=2&a=x%20y&a=1")).toBe("a=1&a=x%20y&b=2");
  });
});
