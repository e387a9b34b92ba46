import { Secret } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import type { JsonObject } from "../store/index.js";
import { isStorable, UNSTORABLE_MESSAGE } from "./text.js";

/**
 * What the admin API checks in a provider or model entry beyond the config file's schema: the file's schema
 * accepts text the store cannot keep, and settings that only the file may hold.
 */

/** The first string (key or value) the store cannot keep, as a 400 naming where it is. */
export function refuseUnstorable(value: unknown, path: string[] = []): void {
  if (typeof value === "string") {
    if (!isStorable(value)) fail(path, UNSTORABLE_MESSAGE);
    return;
  }
  if (value && typeof value === "object") {
    for (const [key, field] of Object.entries(value)) {
      if (!isStorable(key)) fail(path, `a field name ${UNSTORABLE_MESSAGE}`);
      refuseUnstorable(field, [...path, key]);
    }
  }
}

/**
 * Keys are never kept in a provider's settings (they go to the encrypted key store), and a path on the
 * gateway's disk is the file's to name: an admin API caller must not make the gateway read its files.
 */
export function refuseServerOnlySettings(parsed: unknown, path: string[] = []): void {
  if (parsed instanceof Secret) {
    fail(
      path,
      "keys are not kept in a provider's settings; send the key as `centralKey` (or PUT /admin/api/providers/{id}/key), where it is stored encrypted",
    );
  }
  if (parsed && typeof parsed === "object") {
    for (const [key, field] of Object.entries(parsed)) {
      if (key === "credentialsFile") {
        fail([...path, key], "a file on the gateway's disk can be named only in the config file");
      }
      refuseServerOnlySettings(field, [...path, key]);
    }
  }
}

/** `before` with the fields of `patch`: a value replaces, `null` removes. */
export function mergePatch(before: JsonObject, patch: JsonObject): JsonObject {
  const next: JsonObject = { ...before };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next;
}

function fail(path: string[], message: string): never {
  const field = path.join(".");
  throw new GatewayError("invalid_request", field ? `\`${field}\`: ${message}` : message, {
    ...(field ? { param: field } : {}),
  });
}
