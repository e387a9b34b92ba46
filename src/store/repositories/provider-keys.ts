import type { SqlValue } from "../sql.js";
import type { EncryptedSecret, ProviderKeyRecord, ProviderKeysRepository } from "../store.js";
import { type RepositoryContext, toDate, toMillis } from "./rows.js";

interface ProviderKeyRow {
  actor_id: string;
  provider_id: string;
  key_id: string;
  nonce: string;
  ciphertext: string;
  hint: string;
  created_at: number;
  updated_at: number;
  [column: string]: unknown;
}

const COLUMNS = "actor_id, provider_id, key_id, nonce, ciphertext, hint, created_at, updated_at";

/** The central key is stored under actor id '' (part of the primary key, so it cannot be NULL). */
const CENTRAL = "";

function ownerColumn(actorId: string | null): string {
  if (actorId === CENTRAL) throw new RangeError("An actor id cannot be empty; use null for the central key");
  return actorId ?? CENTRAL;
}

function toProviderKey(row: ProviderKeyRow): ProviderKeyRecord {
  const secret: EncryptedSecret = { keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext };
  return {
    actorId: row.actor_id === CENTRAL ? null : row.actor_id,
    providerId: row.provider_id,
    secret,
    hint: row.hint,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function providerKeysRepository({ sql }: RepositoryContext): ProviderKeysRepository {
  return {
    async put(key) {
      const { secret } = key;
      const [row] = await sql.query<ProviderKeyRow>(
        `INSERT INTO provider_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (actor_id, provider_id) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce,
           ciphertext = excluded.ciphertext, hint = excluded.hint, updated_at = excluded.updated_at
         RETURNING ${COLUMNS}`,
        [
          ownerColumn(key.actorId),
          key.providerId,
          secret.keyId,
          secret.nonce,
          secret.ciphertext,
          key.hint,
          toMillis(key.at ?? new Date()),
        ],
      );
      return toProviderKey(row!);
    },

    async get(actorId, providerId) {
      const [row] = await sql.query<ProviderKeyRow>(
        `SELECT ${COLUMNS} FROM provider_keys WHERE actor_id = $1 AND provider_id = $2`,
        [ownerColumn(actorId), providerId],
      );
      return row === undefined ? undefined : toProviderKey(row);
    },

    async delete(actorId, providerId) {
      const deleted = await sql.run("DELETE FROM provider_keys WHERE actor_id = $1 AND provider_id = $2", [
        ownerColumn(actorId),
        providerId,
      ]);
      return deleted > 0;
    },

    async list(filter = {}) {
      const params: SqlValue[] = [];
      let where = "";
      if (filter.actorId !== undefined) {
        params.push(ownerColumn(filter.actorId));
        where = "WHERE actor_id = $1";
      }
      const rows = await sql.query<ProviderKeyRow>(
        `SELECT ${COLUMNS} FROM provider_keys ${where} ORDER BY actor_id, provider_id`,
        params,
      );
      return rows.map(toProviderKey);
    },

    async deleteForActor(actorId) {
      return sql.run("DELETE FROM provider_keys WHERE actor_id = $1", [ownerColumn(actorId)]);
    },

    async deleteForProvider(providerId) {
      const rows = await sql.query<{ actor_id: string; [column: string]: unknown }>(
        "DELETE FROM provider_keys WHERE provider_id = $1 RETURNING actor_id",
        [providerId],
      );
      return rows.map((row) => (row.actor_id === CENTRAL ? null : row.actor_id));
    },

    async reseal(actorId, providerId, from, to) {
      // Compare and swap on the nonce (random per seal): Postgres reads committed, and a rotation must not put
      // back the old key over one a user saved after the rotation read it.
      const changed = await sql.run(
        `UPDATE provider_keys SET key_id = $3, nonce = $4, ciphertext = $5
         WHERE actor_id = $1 AND provider_id = $2 AND nonce = $6 AND key_id = $7`,
        [ownerColumn(actorId), providerId, to.keyId, to.nonce, to.ciphertext, from.nonce, from.keyId],
      );
      return changed > 0;
    },
  };
}
