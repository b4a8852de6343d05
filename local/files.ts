import { randomBytes } from "node:crypto";
import { rename, unlink, writeFile } from "node:fs/promises";

/** Writes `path` whole or not at all; a reader never sees half a key, certificate or config file. */
export async function atomicWrite(path: string, data: string, mode: number): Promise<void> {
  // A fresh file gets `mode`; renaming it over the old one also replaces looser permissions it had.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, data, { mode, flag: "wx" });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
