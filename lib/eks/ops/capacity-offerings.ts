import { z } from "zod";
import { instanceType } from "../../capacity/catalog.ts";
import type { OfferingSelector } from "../../capacity/instance.ts";
import { zonesOf } from "../../capacity/regions.ts";
import { eksErrors } from "../errors.ts";
import { getCluster } from "../mutate.ts";
import { capacity } from "../node-host.ts";
import type { Op } from "../op.ts";
import { parseWith } from "../validate.ts";

// The capacity knob, a Kumulus extension of the EKS API: GET and PUT /clusters/{name}/capacity/offerings
// (authorized as eks:ListCapacityOfferings and eks:UpdateCapacityOffering). PUT makes the offerings a
// selector matches unavailable to the cluster (EC2 answers InsufficientInstanceCapacity for them) or
// available again, so fallbacks can be tried: a node group's next instance type, the Cluster Autoscaler's
// next group, Fargate's next zone. Fields left out match every value.

const Body = z.strictObject({
  instanceType: z.string().min(1).optional(),
  zone: z.string().min(1).optional(),
  capacityType: z.enum(["on-demand", "spot", "fargate"]).optional(),
  available: z.boolean(),
});

const listOut = (offerings: OfferingSelector[]) => ({ unavailableOfferings: offerings });

export const listCapacityOfferings: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  return listOut(await capacity(ctx).unavailableOfferings(doc.name));
};

export const updateCapacityOffering: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const members = { clusterName: doc.name };
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, members));
  if (body.instanceType !== undefined && !instanceType(body.instanceType))
    throw eksErrors.invalidParameter(`${body.instanceType} is not a valid instance type.`, members);
  if (body.zone !== undefined && !zonesOf(ctx.region).includes(body.zone))
    throw eksErrors.invalidParameter(
      `The availability zone ${body.zone} is not in the cluster's region ${ctx.region}.`,
      members,
    );
  const { available, ...selector } = body;
  const provider = capacity(ctx);
  await provider.setOfferingAvailability(doc.name, selector, available);
  return listOut(await provider.unavailableOfferings(doc.name));
};
