import { z } from "zod";
import { IamError } from "../errors.ts";
import { MANAGED_POLICIES } from "../managed-policies.ts";
import { marker, maxItems, parseInput, pathPrefix, policyArn } from "../validate.ts";
import { type Op, page } from "./common.ts";
import { type Holder, holders, saveHolder } from "./policy-holders.ts";

// Managed-policy attachments of users and roles: Attach, Detach and ListAttached, one implementation for
// both holders. Only AWS managed policies Kumulus knows are attachable (there is no CreatePolicy yet).

const MAX_ATTACHED = 10;

function attach(kind: Holder): Op {
  const h = holders[kind];
  const Input = z.object({ [h.field]: h.name, PolicyArn: policyArn() });
  return async (p, ctx) => {
    const input = parseInput(Input, p.flat()) as Record<string, string>;
    const holder = await h.load(ctx, `iam:Attach${h.noun}Policy`, input[h.field]);
    const arn = input.PolicyArn;
    if (!MANAGED_POLICIES.has(arn)) {
      throw new IamError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`);
    }
    if (holder.attachedPolicies.includes(arn)) return undefined;
    if (holder.attachedPolicies.length >= MAX_ATTACHED) {
      throw new IamError("LimitExceeded", `Cannot exceed quota for PoliciesPer${h.noun}: ${MAX_ATTACHED}`);
    }
    await saveHolder(ctx, kind, { ...holder, attachedPolicies: [...holder.attachedPolicies, arn] });
    return undefined;
  };
}

function detach(kind: Holder): Op {
  const h = holders[kind];
  const Input = z.object({ [h.field]: h.name, PolicyArn: policyArn() });
  return async (p, ctx) => {
    const input = parseInput(Input, p.flat()) as Record<string, string>;
    const holder = await h.load(ctx, `iam:Detach${h.noun}Policy`, input[h.field]);
    const arn = input.PolicyArn;
    if (!holder.attachedPolicies.includes(arn))
      throw new IamError("NoSuchEntity", `Policy ${arn} was not found.`);
    await saveHolder(ctx, kind, {
      ...holder,
      attachedPolicies: holder.attachedPolicies.filter((a) => a !== arn),
    });
    return undefined;
  };
}

function listAttached(kind: Holder): Op {
  const h = holders[kind];
  const Input = z.object({
    [h.field]: h.name,
    PathPrefix: pathPrefix().optional(),
    Marker: marker().optional(),
    MaxItems: maxItems().optional(),
  });
  return async (p, ctx) => {
    const input = parseInput(Input, p.flat()) as Record<string, any>;
    const holder = await h.load(ctx, `iam:ListAttached${h.noun}Policies`, input[h.field]);
    const prefix: string = input.PathPrefix ?? "/";
    const attached = holder.attachedPolicies
      .map((arn) => MANAGED_POLICIES.get(arn))
      .flatMap((m) => (m?.path.startsWith(prefix) ? [{ PolicyName: m.name, PolicyArn: m.arn }] : []));
    const pg = page(attached, input.Marker, input.MaxItems);
    return { AttachedPolicies: pg.items, IsTruncated: pg.IsTruncated, Marker: pg.Marker };
  };
}

export const attachUserPolicy = attach("user");
export const attachRolePolicy = attach("role");
export const detachUserPolicy = detach("user");
export const detachRolePolicy = detach("role");
export const listAttachedUserPolicies = listAttached("user");
export const listAttachedRolePolicies = listAttached("role");
