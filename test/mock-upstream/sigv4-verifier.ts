/**
 * An independent AWS Signature Version 4 check for mock upstreams: the canonical request, string to sign
 * and signing key are rebuilt here with node:crypto from the AWS specification (wire-formats.md §6.2), not
 * with @smithy, so a signer bug cannot hide behind the same library on both sides.
 *
 * The canonical URI follows the rule for every service but S3: the path as received is split on `/`, and
 * each segment is URI-encoded again (`%3A` → `%253A`), after removing empty and `.`/`..` segments.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface ReceivedRequest {
  method: string;
  /** The path as received, still percent-encoded (`/model/us.anthropic.x-v1%3A0/invoke`). */
  path: string;
  /** The query string as received, without `?` (may be empty). */
  query: string;
  /** Header names in any case; node:http's `IncomingMessage.headers` fits. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string | Uint8Array;
}

export type SigV4Verdict = { ok: true; accessKeyId: string } | { ok: false; reason: string };

export interface VerifyOptions {
  region: string;
  service: string;
  /** The verifier's clock (default: now); `x-amz-date` may differ from it by at most `maxSkewMs`. */
  now?: Date;
  /** AWS allows 15 minutes. */
  maxSkewMs?: number;
}

const sha256Hex = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - _ . ~`, as uppercase `%XX` of UTF-8. */
export function uriEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The wire path with each segment encoded a second time. */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(uriEncode(segment));
  }
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  return `/${segments.join("/")}${trailing}`;
}

function decodeQueryPart(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

export function canonicalQuery(query: string): string {
  if (query === "") return "";
  const pairs = query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const key = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? "" : pair.slice(equals + 1);
      return [uriEncode(decodeQueryPart(key)), uriEncode(decodeQueryPart(value))] as const;
    });
  pairs.sort(([keyA, valueA], [keyB, valueB]) =>
    keyA < keyB ? -1 : keyA > keyB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0,
  );
  return pairs.map(([key, value]) => `${key}=${value}`).join("&");
}

function headerValue(headers: ReceivedRequest["headers"], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return Array.isArray(value) ? value.join(",") : value;
  }
  return undefined;
}

export function canonicalRequest(
  request: ReceivedRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const headerLines = signedHeaders.map(
    (name) => `${name}:${(headerValue(request.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`,
  );
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    headerLines.join(""),
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9\-;]+),\s*Signature=([0-9a-f]{64})$/;

function amzDateMs(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
}

/** Checks a request signed with `Authorization: AWS4-HMAC-SHA256 …` against the known secrets. */
export function verifySigV4(
  request: ReceivedRequest,
  secrets: Readonly<Record<string, string>>,
  options: VerifyOptions,
): SigV4Verdict {
  const authorization = headerValue(request.headers, "authorization");
  if (authorization === undefined) return { ok: false, reason: "no authorization header" };
  const match = AUTHORIZATION.exec(authorization);
  if (!match) return { ok: false, reason: "the authorization header is not AWS4-HMAC-SHA256" };
  const [, accessKeyId, date, region, service, signedList, signature] = match as unknown as string[];
  const secret = secrets[accessKeyId!];
  if (secret === undefined) return { ok: false, reason: `unknown access key id ${accessKeyId}` };
  if (region !== options.region)
    return { ok: false, reason: `signed for region ${region}, not ${options.region}` };
  if (service !== options.service)
    return { ok: false, reason: `signed for service ${service}, not ${options.service}` };

  const signedHeaders = signedList!.split(";");
  const sorted = [...signedHeaders].sort();
  if (sorted.join(";") !== signedList) return { ok: false, reason: "SignedHeaders is not sorted" };
  for (const required of ["host", "x-amz-date"]) {
    if (!signedHeaders.includes(required)) return { ok: false, reason: `${required} is not signed` };
  }
  for (const name of Object.keys(request.headers).map((key) => key.toLowerCase())) {
    if (name.startsWith("x-amz-") && !signedHeaders.includes(name)) {
      return { ok: false, reason: `${name} is sent but not signed` };
    }
  }
  for (const name of signedHeaders) {
    if (headerValue(request.headers, name) === undefined)
      return { ok: false, reason: `signed header ${name} is missing` };
  }

  const amzDate = headerValue(request.headers, "x-amz-date") ?? "";
  const signedAt = amzDateMs(amzDate);
  if (signedAt === undefined) return { ok: false, reason: "x-amz-date is malformed" };
  if (amzDate.slice(0, 8) !== date)
    return { ok: false, reason: "x-amz-date does not match the credential scope" };
  const now = (options.now ?? new Date()).getTime();
  if (Math.abs(now - signedAt) > (options.maxSkewMs ?? 15 * 60_000)) {
    return { ok: false, reason: "the signature is expired or from the future" };
  }

  const payloadHash = sha256Hex(request.body);
  const declared = headerValue(request.headers, "x-amz-content-sha256");
  if (declared !== undefined && declared !== payloadHash) {
    return { ok: false, reason: "x-amz-content-sha256 does not match the body" };
  }

  const canonical = canonicalRequest(request, signedHeaders, payloadHash);
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonical)].join("\n");
  const expected = createHmac("sha256", signingKey(secret, date!, region!, service!))
    .update(stringToSign, "utf8")
    .digest();
  const given = Buffer.from(signature!, "hex");
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: "the signature does not match" };
  return { ok: true, accessKeyId: accessKeyId! };
}
