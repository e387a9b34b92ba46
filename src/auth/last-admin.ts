import type { StoreRepositories } from "../store/index.js";

/**
 * The last admin (issue 15): no change through the admin API or the CLI may leave nobody able to sign in as an
 * admin. An admin can sign in when it is active and has a usable token in the store, or is defined outside the
 * store (the config file or an actor source, which hold its tokens). The `TOLLGATE_ADMIN_TOKEN` bootstrap admin
 * is such an actor and counts like any other.
 */
export type AdminLoss =
  /** The actor is deleted, demoted or disabled. */
  | { actorId: string }
  /** The token is revoked. */
  | { actorId: string; tokenId: string };

/**
 * Why the change must be refused, or undefined when another admin can still sign in after it. Locks the admin
 * actors until the transaction ends (Postgres), so two admins demoting each other at once are serialised and
 * the second sees the first's change. When no admin can sign in already, nothing is refused: that is a repair.
 */
export async function lastAdminRefusal(
  tx: StoreRepositories,
  loss: AdminLoss,
  now: Date,
): Promise<string | undefined> {
  const admins = await tx.actors.list({ role: "admin", status: "active", lock: true });
  let before = 0;
  let after = 0;
  for (const admin of admins) {
    let usable = admin.source !== "database" ? 1 : 0;
    let left = usable;
    if (admin.source === "database") {
      const tokens = await tx.tokens.list({ actorId: admin.id, activeOnly: true, now });
      usable = tokens.length;
      left =
        "tokenId" in loss && loss.actorId === admin.id
          ? tokens.filter((token) => token.id !== loss.tokenId).length
          : tokens.length;
    }
    if (!("tokenId" in loss) && loss.actorId === admin.id) left = 0;
    if (usable > 0) before += 1;
    if (left > 0) after += 1;
  }
  if (before === 0 || after > 0) return undefined;
  return "tokenId" in loss
    ? `token \`${loss.tokenId}\` is the last usable token of the last admin (\`${loss.actorId}\`); create another admin token first`
    : `actor \`${loss.actorId}\` is the last admin; create another admin first`;
}
