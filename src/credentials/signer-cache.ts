import { createHash } from "node:crypto";
import type { AttemptSigner } from "./signer.js";

/**
 * Signers built once per provider and credential, kept across configuration reloads (DESIGN §9): a reload that
 * leaves a provider's credentials alone keeps its signer, and with it the cached OAuth token or AWS credentials.
 * Keyed by a hash of what identifies the credentials, so no key material sits in the map's keys.
 */
export class SignerCache {
  private readonly signers = new Map<string, AttemptSigner>();

  get(parts: readonly (string | undefined)[], create: () => AttemptSigner): AttemptSigner {
    const key = createHash("sha256")
      .update(parts.map((part) => part ?? "").join("\u0000"))
      .digest("hex");
    let signer = this.signers.get(key);
    if (!signer) {
      signer = create();
      this.signers.set(key, signer);
    }
    return signer;
  }
}
