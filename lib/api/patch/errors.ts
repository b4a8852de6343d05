export interface PatchCause {
  field?: string;
  message: string;
  reason?: string;
}

/** A patch that cannot be applied; the server turns it into a Status with this code and reason. */
export class PatchError extends Error {
  constructor(
    public readonly code: number,
    public readonly reason: string,
    message: string,
    public readonly causes?: PatchCause[],
  ) {
    super(message);
  }
}
