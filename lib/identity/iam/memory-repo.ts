import { type IamKind, type IamRecords, type IamRepo, idOf, recordId } from "./repo.ts";

// Records are copied in and out, so a caller that mutates what it read cannot change the store behind the
// repo's back (the DynamoDB repo behaves the same way by construction).

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryIamRepo implements IamRepo {
  private readonly items = new Map<string, unknown>();

  private key(kind: IamKind, id: string): string {
    return `${kind}#${id}`;
  }

  async get<K extends IamKind>(kind: K, nameOrId: string): Promise<IamRecords[K] | undefined> {
    const v = this.items.get(this.key(kind, recordId(kind, nameOrId)));
    return v === undefined ? undefined : copy(v as IamRecords[K]);
  }

  async create<K extends IamKind>(kind: K, value: IamRecords[K]): Promise<boolean> {
    const k = this.key(kind, idOf(kind, value));
    if (this.items.has(k)) return false;
    this.items.set(k, copy(value));
    return true;
  }

  async put<K extends IamKind>(kind: K, value: IamRecords[K]): Promise<void> {
    this.items.set(this.key(kind, idOf(kind, value)), copy(value));
  }

  async delete(kind: IamKind, nameOrId: string): Promise<void> {
    this.items.delete(this.key(kind, recordId(kind, nameOrId)));
  }

  async list<K extends IamKind>(kind: K): Promise<IamRecords[K][]> {
    const prefix = `${kind}#`;
    return [...this.items].filter(([k]) => k.startsWith(prefix)).map(([, v]) => copy(v as IamRecords[K]));
  }
}
