import type { Aws } from "../eks-client.ts";
import type { Logger } from "../logger.ts";

// What every step of cluster creation (and the single-resource commands that reuse them) needs.
export interface StepContext {
  aws: Aws;
  log: Logger;
  cluster: string;
  /** --timeout as a deadline, ms since epoch. */
  deadline: number;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
