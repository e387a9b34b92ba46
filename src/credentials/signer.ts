/**
 * The upstream auth axis (DESIGN §9): a provider says where a request goes, a signer says how the gateway
 * proves who it is there. Signers see the attempt's final bytes, so schemes that cover the request itself
 * (AWS SigV4: host, path, query, body hash) and schemes that only add a token (OAuth) share one shape.
 */

// The shapes are the HTTP layer's: it calls the signer once per attempt, after choosing the endpoint.
export type { AttemptSigner, SigningRequest } from "../upstream/types.js";

/**
 * Waits for `work` unless `signal` aborts first (then rejects with the signal's reason). The work itself
 * goes on: credential and token fetches are shared by every attempt, so one caller giving up must not
 * cancel them for the others.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
