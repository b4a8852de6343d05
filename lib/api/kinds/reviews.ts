import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { defineKind } from "./define.ts";

// The review kinds, create-only and stored nowhere, which kube publishes in discovery (`kubectl
// api-resources` lists them with the verb create). The API server answers them itself (access-review.ts);
// they are here only so discovery matches kube's.

const review = (group: string, kind: string, namespaced = false): KindInfo =>
  defineKind({
    group,
    version: "v1",
    kind,
    plural: `${kind.toLowerCase()}s`,
    namespaced,
    verbs: ["create"],
    fields: { spec: z.looseObject({}).optional(), status: z.looseObject({}).optional() },
    description: `${kind} is answered by the API server and never stored.`,
  });

export const reviewKinds: KindInfo[] = [
  review("authentication.k8s.io", "SelfSubjectReview"),
  review("authorization.k8s.io", "LocalSubjectAccessReview", true),
  review("authorization.k8s.io", "SelfSubjectAccessReview"),
  review("authorization.k8s.io", "SelfSubjectRulesReview"),
  review("authorization.k8s.io", "SubjectAccessReview"),
];
