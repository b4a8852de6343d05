import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { type IamKind, type IamRecords, type IamRepo, idOf, recordId } from "./repo.ts";

// IAM on one DynamoDB table keyed (pk S, sk S): pk `{kind}#{id}`, sk `{kind}`, the record as JSON in `doc`.
// Access keys and sessions get their own partitions because every signed request looks one up; lists are a
// scan filtered on sk, which is fine for an account's users and roles but is why nothing on the request
// path lists. Sessions carry `ttl` (epoch seconds) so DynamoDB's TTL can reap them; until it does, the
// lookup checks the expiration itself.

export class DynamoIamRepo implements IamRepo {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get<K extends IamKind>(kind: K, nameOrId: string): Promise<IamRecords[K] | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: `${kind}#${recordId(kind, nameOrId)}` }, sk: { S: kind } },
        ConsistentRead: true,
      }),
    );
    const doc = out.Item?.doc?.S;
    return doc === undefined ? undefined : (JSON.parse(doc) as IamRecords[K]);
  }

  async create<K extends IamKind>(kind: K, value: IamRecords[K]): Promise<boolean> {
    try {
      await this.write(kind, value, true);
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  put<K extends IamKind>(kind: K, value: IamRecords[K]): Promise<void> {
    return this.write(kind, value, false);
  }

  private async write<K extends IamKind>(kind: K, value: IamRecords[K], ifAbsent: boolean): Promise<void> {
    const item: Record<string, { S: string } | { N: string }> = {
      pk: { S: `${kind}#${idOf(kind, value)}` },
      sk: { S: kind },
      doc: { S: JSON.stringify(value) },
    };
    if (kind === "session") {
      item.ttl = { N: String(Math.ceil((value as IamRecords["session"]).expiration / 1000)) };
    }
    await this.ddb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: ifAbsent ? "attribute_not_exists(pk)" : undefined,
      }),
    );
  }

  async delete(kind: IamKind, nameOrId: string): Promise<void> {
    await this.ddb.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: `${kind}#${recordId(kind, nameOrId)}` }, sk: { S: kind } },
      }),
    );
  }

  async list<K extends IamKind>(kind: K): Promise<IamRecords[K][]> {
    const out: IamRecords[K][] = [];
    let start: Record<string, any> | undefined;
    do {
      const page = await this.ddb.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: "sk = :k",
          ExpressionAttributeValues: { ":k": { S: kind } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) if (item.doc?.S) out.push(JSON.parse(item.doc.S) as IamRecords[K]);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
