import { z } from "zod";
import { IamError } from "../errors.ts";
import { marker, maxItems, parseInput, policyDocument, policyName } from "../validate.ts";
import { type Op, page } from "./common.ts";
import { type Holder, holders, saveHolder } from "./policy-holders.ts";
import { policyText } from "./roles.ts";

// Inline policies of users and roles: Put, Get, List and Delete, one implementation for both holders.

// IAM's quotas on the total of a holder's inline documents, counted without whitespace.
const MAX_CHARS: Record<Holder, number> = { user: 2048, role: 10240 };

const noSuchPolicy = (kind: Holder, name: string) =>
  new IamError("NoSuchEntity", `The ${kind} policy with name ${name} cannot be found.`);

function put(kind: Holder): Op {
  const h = holders[kind];
  const Input = z.object({ [h.field]: h.name, PolicyName: policyName(), PolicyDocument: policyDocument() });
  return async (p, ctx) => {
    const input = parseInput(Input, p.flat()) as Record<string, string>;
    const holder = await h.load(ctx, `iam:Put${h.noun}Policy`, input[h.field]);
    const text = policyText(input.PolicyDocument, "identity");
    const policies = { ...holder.inlinePolicies, [input.PolicyName]: text };
    const size = Object.values(policies).reduce((n, d) => n + d.replace(/\s/g, "").length, 0);
    if (size > MAX_CHARS[kind]) {
      throw new IamError(
        "LimitExceeded",
        `Maximum policy size of ${MAX_CHARS[kind]} bytes exceeded for ${kind} ${holder.name}`,
      );
    }
    await saveHolder(ctx, kind, { ...holder, inlinePolicies: policies });
    return undefined;
  };
}

function get(kind: Holder): Op {
  const h = holders[kind];
  const Input = z.object({ [h.field]: h.name, PolicyName: policyName() });
  return async (p, ctx) => {
    const input = parseInput(Input, p.flat()) as Record<string, string>;
    const holder = await h.load(ctx, `iam:Get${h.noun}Policy`, input[h.field]);
    const text = Object.hasOwn(holder.inlinePolicies, input.PolicyName)
      ? holder.inlinePolicies[input.PolicyName]
      : undefined;
    if (text === undefined) throw noSuchPolicy(kind, input.PolicyName);
    return {
      [h.field]: holder.name,
      PolicyName: input.PolicyName,
      PolicyDocument: encodeURIComponent(text),
    };
  };
}

function list(kind: Holder): Op {
  const h = holders[kind];
  const Input = z.object({ [h.field]: h.name, Marker: marker().optional(), MaxItems: maxItems().optional() });
  return async (p, ctx) => {
    const input = parseInput(Input, p.flat()) as Record<string, any>;
    const holder = await h.load(ctx, `iam:List${h.noun}Policies`, input[h.field]);
    const pg = page(Object.keys(holder.inlinePolicies).sort(), input.Marker, input.MaxItems);
    return { PolicyNames: pg.items, IsTruncated: pg.IsTruncated, Marker: pg.Marker };
  };
}

function remove(kind: Holder): Op {
  const h = holders[kind];
  const Input = z.object({ [h.field]: h.name, PolicyName: policyName() });
  return async (p, ctx) => {
    const input = parseInput(Input, p.flat()) as Record<string, string>;
    const holder = await h.load(ctx, `iam:Delete${h.noun}Policy`, input[h.field]);
    if (!Object.hasOwn(holder.inlinePolicies, input.PolicyName)) throw noSuchPolicy(kind, input.PolicyName);
    const { [input.PolicyName]: _, ...rest } = holder.inlinePolicies;
    await saveHolder(ctx, kind, { ...holder, inlinePolicies: rest });
    return undefined;
  };
}

export const putUserPolicy = put("user");
export const putRolePolicy = put("role");
export const getUserPolicy = get("user");
export const getRolePolicy = get("role");
export const listUserPolicies = list("user");
export const listRolePolicies = list("role");
export const deleteUserPolicy = remove("user");
export const deleteRolePolicy = remove("role");
