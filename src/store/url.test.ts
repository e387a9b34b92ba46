import { describe, expect, it } from "vitest";
import { StoreError } from "./errors.js";
import { parseStorageUrl, redactUrl } from "./url.js";

describe("parseStorageUrl", () => {
  it.each([
    ["sqlite:.tollgate/tollgate.db", { kind: "sqlite", path: "/srv/app/.tollgate/tollgate.db" }],
    ["sqlite:/var/lib/tollgate.db", { kind: "sqlite", path: "/var/lib/tollgate.db" }],
    ["sqlite:///var/lib/tollgate.db", { kind: "sqlite", path: "/var/lib/tollgate.db" }],
    ["sqlite::memory:", { kind: "sqlite", path: ":memory:" }],
    [
      "postgres://u:p@db:5432/tollgate",
      { kind: "postgres", connectionString: "postgres://u:p@db:5432/tollgate", schema: undefined },
    ],
    [
      "postgresql://db/tollgate?schema=tg_one&sslmode=require",
      { kind: "postgres", connectionString: "postgresql://db/tollgate?sslmode=require", schema: "tg_one" },
    ],
  ])("%s", (url, expected) => {
    expect(parseStorageUrl(url, "/srv/app")).toEqual(expected);
  });

  it.each([
    ["", /storage\.url "" is invalid: it is empty/],
    ["sqlite:", /SQLite file path is missing/],
    ["mysql://db/x", /"mysql:" is not supported; use sqlite:PATH or postgres:\/\//],
    ["tollgate.db", /it has no scheme/],
    ["postgres://db/x?schema=Bad-Name", /schema "Bad-Name" must be lower-case/],
    ["postgres:///x", /Postgres host is missing/],
  ])("rejects %j", (url, message) => {
    expect(() => parseStorageUrl(url)).toThrow(message);
    expect(() => parseStorageUrl(url)).toThrow(StoreError);
  });

  it("never repeats the password in its errors", () => {
    expect(() => parseStorageUrl("postgres://me:topsecret@db/x?schema=NO")).toThrow(
      /storage\.url "postgres:\/\/me:\*\*\*@db\/x\?schema=NO"/,
    );
    expect(() => parseStorageUrl("postgres://me:topsecret@db/x?schema=NO")).not.toThrow(/topsecret/);
  });
});

describe("redactUrl", () => {
  it.each([
    ["postgres://me:s%40cret@db:5432/x?schema=a", "postgres://me:***@db:5432/x?schema=a"],
    ["postgres://me@db/x", "postgres://me@db/x"],
    ["sqlite:.tollgate/tollgate.db", "sqlite:.tollgate/tollgate.db"],
    ["postgres://me:p@ss/w?rd@db:bad-port/x", "postgres://me:***@db:bad-port/x"],
    ["mysql://me:pw@db/x", "mysql://me:***@db/x"],
    // Over-redacts rather than risk a leak when an @ follows a host:port.
    ["postgres://db:5432/x?note=a@b", "postgres://db:***@b"],
    ["postgres://db/x?password=s3cret&schema=a", "postgres://db/x?password=***&schema=a"],
    ["postgres://db/x?sslmode=require&sslpassword=pw", "postgres://db/x?sslmode=require&sslpassword=***"],
  ])("%s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
