import type { SettingRecord, SettingsRepository } from "../store.js";
import { jsonText, parseJson, type RepositoryContext, toDate, toMillis } from "./rows.js";

interface SettingRow {
  key: string;
  value: string;
  updated_at: number;
  [column: string]: unknown;
}

export function settingsRepository({ sql }: RepositoryContext): SettingsRepository {
  return {
    async get(key) {
      const [row] = await sql.query<SettingRow>("SELECT value FROM settings WHERE key = $1", [key]);
      return row === undefined ? undefined : parseJson(row.value);
    },

    async set(key, value, at = new Date()) {
      await sql.run(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [key, jsonText(value), toMillis(at)],
      );
    },

    async delete(key) {
      return (await sql.run("DELETE FROM settings WHERE key = $1", [key])) > 0;
    },

    async list() {
      const rows = await sql.query<SettingRow>("SELECT key, value, updated_at FROM settings ORDER BY key");
      return rows.map(
        (row): SettingRecord => ({
          key: row.key,
          value: parseJson(row.value),
          updatedAt: toDate(row.updated_at),
        }),
      );
    },
  };
}
