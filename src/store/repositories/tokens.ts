import { randomBytes } from "node:crypto";
import type { SqlValue } from "../sql.js";
import type { TokenRecord, TokensRepository } from "../store.js";
import {
  explainConstraints,
  type RepositoryContext,
  toDate,
  toDateOrNull,
  toMillis,
  toMillisOrNull,
} from "./rows.js";

interface TokenRow {
  id: string;
  actor_id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  [column: string]: unknown;
}

const COLUMNS =
  "id, actor_id, name, token_hash, token_hint, created_at, expires_at, revoked_at, last_used_at";

/** Usable at the time in the given parameter: not revoked, and not expired. */
function activeAt(parameter: string): string {
  return `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${parameter})`;
}

export function newTokenId(): string {
  return `tok_${randomBytes(12).toString("hex")}`;
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    actorId: row.actor_id,
    name: row.name,
    tokenHash: row.token_hash,
    tokenHint: row.token_hint,
    createdAt: toDate(row.created_at),
    expiresAt: toDateOrNull(row.expires_at),
    revokedAt: toDateOrNull(row.revoked_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
  };
}

export function tokensRepository(context: RepositoryContext): TokensRepository {
  const { sql } = context;
  return {
    async create(token) {
      const id = token.id ?? newTokenId();
      const rows = await explainConstraints(
        context,
        {
          unique: `A token with id "${id}" or with the same hash already exists.`,
          foreignKey: `Cannot create a token for actor "${token.actorId}": no such actor.`,
        },
        () =>
          sql.query<TokenRow>(
            `INSERT INTO tokens (id, actor_id, name, token_hash, token_hint, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
            [
              id,
              token.actorId,
              token.name,
              token.tokenHash,
              token.tokenHint,
              toMillis(token.createdAt ?? new Date()),
              toMillisOrNull(token.expiresAt),
            ],
          ),
      );
      return toToken(rows[0]!);
    },

    async findByHash(tokenHash, now = new Date()) {
      const [row] = await sql.query<TokenRow>(
        `SELECT ${COLUMNS} FROM tokens WHERE token_hash = $1 AND ${activeAt("$2")}`,
        [tokenHash, toMillis(now)],
      );
      return row === undefined ? undefined : toToken(row);
    },

    async getByHash(tokenHash) {
      const [row] = await sql.query<TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE token_hash = $1`, [
        tokenHash,
      ]);
      return row === undefined ? undefined : toToken(row);
    },

    async get(id) {
      const [row] = await sql.query<TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE id = $1`, [id]);
      return row === undefined ? undefined : toToken(row);
    },

    async list(options = {}) {
      const conditions: string[] = [];
      const params: SqlValue[] = [];
      if (options.actorId !== undefined) {
        params.push(options.actorId);
        conditions.push(`actor_id = $${params.length}`);
      }
      if (options.activeOnly === true) {
        params.push(toMillis(options.now ?? new Date()));
        conditions.push(activeAt(`$${params.length}`));
      }
      const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
      const rows = await sql.query<TokenRow>(
        `SELECT ${COLUMNS} FROM tokens ${where} ORDER BY created_at, id`,
        params,
      );
      return rows.map(toToken);
    },

    async revoke(id, at = new Date()) {
      const changed = await sql.run(
        "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        [id, toMillis(at)],
      );
      return changed > 0;
    },

    async touchLastUsed(id, at) {
      await sql.run(
        "UPDATE tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
        [id, toMillis(at)],
      );
    },

    async deleteExpired(now = new Date()) {
      return sql.run("DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= $1", [toMillis(now)]);
    },
  };
}
