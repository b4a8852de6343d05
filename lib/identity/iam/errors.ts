// Failures of IAM and STS operations, in AWS's codes and words. Operations throw IamError; only the query
// front end (query.ts) turns it into an ErrorResponse document.

export type IamErrorCode =
  | "AccessDenied"
  | "DeleteConflict"
  | "EntityAlreadyExists"
  | "ExpiredToken"
  | "InvalidAction"
  | "InvalidIdentityToken"
  | "InvalidInput"
  | "LimitExceeded"
  | "MalformedPolicyDocument"
  | "MissingAction"
  | "MissingAuthenticationToken"
  | "NoSuchEntity"
  | "ValidationError";

const STATUS: Record<IamErrorCode, number> = {
  AccessDenied: 403,
  DeleteConflict: 409,
  EntityAlreadyExists: 409,
  ExpiredToken: 400,
  InvalidAction: 400,
  InvalidIdentityToken: 400,
  InvalidInput: 400,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  NoSuchEntity: 404,
  ValidationError: 400,
};

export class IamError extends Error {
  readonly status: number;
  constructor(
    readonly code: IamErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const noSuchUser = (name: string): IamError =>
  new IamError("NoSuchEntity", `The user with name ${name} cannot be found.`);
export const noSuchRole = (name: string): IamError =>
  new IamError("NoSuchEntity", `The role with name ${name} cannot be found.`);
export const noSuchKey = (id: string): IamError =>
  new IamError("NoSuchEntity", `The Access Key with id ${id} cannot be found.`);
