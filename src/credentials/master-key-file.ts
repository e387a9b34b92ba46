import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { decodeMasterKey, MASTER_KEY_ADVICE } from "../config/master-key-text.js";

/** The file a key is generated into when none is configured: beside the SQLite database. */
export const KEY_FILE_NAME = "master.key";

/**
 * A rotation leaves the new key in `.next` until the store is re-sealed, and the old one in `.previous`
 * after: both are loaded as extra decryption keys, so a crash at any step leaves keys that open everything.
 */
export function siblingKeyFiles(file: string): { next: string; previous: string } {
  return { next: `${file}.next`, previous: `${file}.previous` };
}

export interface KeyFileContents {
  readonly key: Buffer;
  /** Set when other users may read the file. */
  readonly warning?: string;
}

/** The key in `file`, or `undefined` when there is no such file. */
export async function readKeyFile(file: string, setting = file): Promise<KeyFileContents | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const key = decodeMasterKey(text);
  if (key === undefined) throw new Error(`${setting} does not hold a master key: ${MASTER_KEY_ADVICE}`);
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) === 0) return { key };
  const octal = mode.toString(8).padStart(4, "0");
  return { key, warning: `${file} can be read by other users (mode ${octal}); run \`chmod 600 ${file}\`` };
}

/**
 * Writes `key` into `file` (mode 0600) unless the file exists: whole or not at all (temp file, then a hard
 * link, which unlike rename never replaces a file). Whether it wrote; `false` means another process won.
 */
export async function createKeyFile(file: string, key: Buffer): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = await writeTemporary(file, key);
  try {
    await link(temporary, file);
    await syncDirectory(dirname(file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Ends a rotation: the current key is copied to `.previous` (replacing an older one), then `.next` is renamed
 * over `file`. `file` always exists and every step is atomic, so a crash leaves a set that opens everything.
 */
export async function promoteNextKeyFile(file: string): Promise<void> {
  const { next, previous } = siblingKeyFiles(file);
  const current = await readKeyFile(file);
  if (current !== undefined) {
    const temporary = await writeTemporary(previous, current.key);
    try {
      await rename(temporary, previous);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }
  await rename(next, file);
  await syncDirectory(dirname(file));
}

async function writeTemporary(file: string, key: Buffer): Promise<string> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${key.toString("base64")}\n`);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temporary;
}

/** So a rename or link survives a power cut; best effort (not every platform can open a directory). */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r").catch(() => undefined);
  await handle
    ?.sync()
    .catch(() => undefined)
    .finally(() => handle.close());
}
