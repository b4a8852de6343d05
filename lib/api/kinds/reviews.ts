import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { defineKind } from "./define.ts";

// Kinds the API server answers itself and stores nowhere, which kube publishes in discovery with their verbs
// (`kubectl api-resources -o wide`): the reviews and TokenReview (access-review.ts), Binding (a pod's
// binding, by another path) and ComponentStatus. They are here only so discovery matches kube's.

const review = (group: string, kind: string, namespaced = false, verbs = ["create"]): KindInfo =>
  defineKind({
    group,
    version: "v1",
    kind,
    plural: `${kind.toLowerCase()}s`,
    namespaced,
    verbs,
    fields: { spec: z.looseObject({}).optional(), status: z.looseObject({}).optional() },
    description: `${kind} is answered by the API server and never stored.`,
  });

export const reviewKinds: KindInfo[] = [
  { ...review("", "Binding", true), plural: "bindings" },
  {
    ...review("", "ComponentStatus", false, ["get", "list"]),
    plural: "componentstatuses",
    shortNames: ["cs"],
  },
  review("authentication.k8s.io", "SelfSubjectReview"),
  review("authentication.k8s.io", "TokenReview"),
  review("authorization.k8s.io", "LocalSubjectAccessReview", true),
  review("authorization.k8s.io", "SelfSubjectAccessReview"),
  review("authorization.k8s.io", "SelfSubjectRulesReview"),
  review("authorization.k8s.io", "SubjectAccessReview"),
];
