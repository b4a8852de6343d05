// The IAM and STS domain and its storage seam. One account per stack; every record is a small JSON document
// kept under (kind, id). Names of users and roles are unique regardless of case, as in IAM, so their ids are
// the lowercased name while the record keeps the name as it was created.

export interface Tag {
  Key: string;
  Value: string;
}

export interface IamUser {
  name: string;
  /** "/" or "/a/b/". */
  path: string;
  /** arn:aws:iam::ACCT:user{path}{name} */
  arn: string;
  /** AIDA + 17 */
  userId: string;
  /** Epoch ms. */
  createDate: number;
  tags: Tag[];
  /** Managed policy ARNs, in attach order. */
  attachedPolicies: string[];
  /** Inline policy name → policy JSON. */
  inlinePolicies: Record<string, string>;
}

export interface IamRole {
  name: string;
  path: string;
  /** arn:aws:iam::ACCT:role{path}{name} */
  arn: string;
  /** AROA + 17 */
  roleId: string;
  createDate: number;
  /** The trust policy, as JSON text. */
  assumeRolePolicyDocument: string;
  description?: string;
  /** Seconds, 3600..43200. */
  maxSessionDuration: number;
  tags: Tag[];
  attachedPolicies: string[];
  inlinePolicies: Record<string, string>;
}

export type KeyStatus = "Active" | "Inactive";

export interface AccessKey {
  /** AKIA + 16 */
  accessKeyId: string;
  secretAccessKey: string;
  status: KeyStatus;
  account: string;
  /** The owning user's name; undefined for a key of the account root. */
  userName?: string;
  createDate: number;
}

/** Temporary credentials minted by STS for a role session. */
export interface SessionCredential {
  /** ASIA + 16 */
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiration: number;
  account: string;
  roleName: string;
  roleArn: string;
  roleId: string;
  sessionName: string;
  /** arn:aws:sts::ACCT:assumed-role/ROLE/SESSION */
  assumedRoleArn: string;
  /** AROA…:SESSION */
  assumedRoleId: string;
  /** Session policy (AssumeRole's Policy): the session may do only what both it and the role allow. */
  sessionPolicy?: string;
  /** True when minted from another role session, which caps the duration at an hour. */
  chained?: boolean;
}

export interface IamRecords {
  user: IamUser;
  role: IamRole;
  key: AccessKey;
  session: SessionCredential;
}
export type IamKind = keyof IamRecords;

/** The id a record is stored under: case-folded names for users and roles, the key id otherwise. */
export function recordId(kind: IamKind, nameOrId: string): string {
  return kind === "user" || kind === "role" ? nameOrId.toLowerCase() : nameOrId;
}

export function idOf<K extends IamKind>(kind: K, value: IamRecords[K]): string {
  const v = value as IamRecords[IamKind];
  return recordId(kind, "accessKeyId" in v ? v.accessKeyId : v.name);
}

export interface IamRepo {
  /** `nameOrId` is a user or role name (any case) or an access key id. Reads are strongly consistent. */
  get<K extends IamKind>(kind: K, nameOrId: string): Promise<IamRecords[K] | undefined>;
  /** False when a record with the same id exists. */
  create<K extends IamKind>(kind: K, value: IamRecords[K]): Promise<boolean>;
  /** Creates or replaces. */
  put<K extends IamKind>(kind: K, value: IamRecords[K]): Promise<void>;
  /** Missing records are fine. */
  delete(kind: IamKind, nameOrId: string): Promise<void>;
  /** Every record of the kind, any order. */
  list<K extends IamKind>(kind: K): Promise<IamRecords[K][]>;
}
