// EKS reports failures as restJson1 errors: the code in `x-amzn-ErrorType`, a JSON body with `message` and
// the exception's members (eks-api.md §2). Handlers throw EksError; only the router serialises it.

export type EksErrorCode =
  | "ResourceNotFoundException"
  | "ResourceInUseException"
  | "InvalidParameterException"
  | "InvalidRequestException"
  | "ResourceLimitExceededException"
  | "UnsupportedAvailabilityZoneException"
  | "ServerException"
  | "BadRequestException"
  | "NotFoundException"
  | "AccessDeniedException"
  | "ThrottlingException"
  | "SerializationException";

const STATUS: Record<EksErrorCode, number> = {
  ResourceNotFoundException: 404,
  ResourceInUseException: 409,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  ResourceLimitExceededException: 400,
  UnsupportedAvailabilityZoneException: 400,
  ServerException: 500,
  BadRequestException: 400,
  NotFoundException: 404,
  AccessDeniedException: 403,
  // The SDKs and the aws CLI retry it with backoff on their own, so a lost write race never reaches the user.
  ThrottlingException: 429,
  // Not in the EKS model: what AWS's JSON front end answers for a body it cannot parse. Both SDKs surface
  // an unmodelled code as a generic service error with that name.
  SerializationException: 400,
};

/** Body members an exception may carry besides `message` (only the ones set are sent). */
export interface EksErrorMembers {
  clusterName?: string;
  nodegroupName?: string;
  addonName?: string;
  validZones?: string[];
}

export class EksError extends Error {
  readonly status: number;

  constructor(
    readonly code: EksErrorCode,
    message: string,
    readonly members: EksErrorMembers = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }

  body(): Record<string, unknown> {
    return { ...this.members, message: this.message };
  }
}

export const eksErrors = {
  clusterNotFound: (name: string) =>
    new EksError("ResourceNotFoundException", `No cluster found for name: ${name}.`, { clusterName: name }),
  invalidParameter: (message: string, members: EksErrorMembers = {}) =>
    new EksError("InvalidParameterException", message, members),
  invalidRequest: (message: string, members: EksErrorMembers = {}) =>
    new EksError("InvalidRequestException", message, members),
  inUse: (message: string, members: EksErrorMembers = {}) =>
    new EksError("ResourceInUseException", message, members),
  /** Another update of the cluster is still running; EKS names the update it waits for. */
  updateInProgress: (kind: string, cluster: string, updateId: string) =>
    new EksError(
      "ResourceInUseException",
      `Cannot ${kind} because cluster ${cluster} currently has update ${updateId} in progress`,
      { clusterName: cluster },
    ),
  badRequest: (message: string) => new EksError("BadRequestException", message),
  notFound: (message: string) => new EksError("NotFoundException", message),
  /** An IAM denial; the message is IAM's own ("User: … is not authorized to perform: …"). */
  accessDenied: (message: string) => new EksError("AccessDeniedException", message),
  throttled: (message: string, members: EksErrorMembers = {}) =>
    new EksError("ThrottlingException", message, members),
};
