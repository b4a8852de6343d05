import type { AccessKey, IamRepo } from "./repo.ts";

/** A user's access keys (undefined = the account root's), oldest first. */
export async function keysOfUser(repo: IamRepo, userName: string | undefined): Promise<AccessKey[]> {
  const owner = userName?.toLowerCase();
  return (await repo.list("key"))
    .filter((k) => k.userName?.toLowerCase() === owner)
    .sort((a, b) => a.createDate - b.createDate || a.accessKeyId.localeCompare(b.accessKeyId));
}
