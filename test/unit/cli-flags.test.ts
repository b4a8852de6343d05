import { describe, expect, it } from "vitest";
import type { Command } from "../../cli/command.ts";
import { resolve, runCli } from "../../cli/dispatch.ts";
import { FlagError, type FlagSpec, formatDuration, parseFlags } from "../../cli/flags.ts";

// The command line as eksctl (cobra/pflag) reads it: flag forms, pflag's error wording, nouns and aliases.

const specs: FlagSpec[] = [
  { name: "name", short: "n", type: "string", usage: "" },
  { name: "nodes", short: "N", type: "int", default: 2, usage: "" },
  { name: "wait", short: "w", type: "bool", usage: "" },
  { name: "group", type: "stringArray", usage: "" },
  { name: "zones", type: "stringSlice", usage: "" },
  { name: "tags", type: "stringMap", usage: "" },
  { name: "timeout", type: "duration", default: "25m0s", usage: "" },
];

describe("flag parsing", () => {
  it("reads --f v, --f=v, -f v, -fv, grouped booleans and positionals", () => {
    const p = parseFlags(["create", "--name", "a", "-N5", "-w", "--group=x", "--group", "y", "pos"], specs);
    expect(p.values.get("name")).toBe("a");
    expect(p.values.get("nodes")).toBe(5);
    expect(p.values.get("wait")).toBe(true);
    expect(p.values.get("group")).toEqual(["x", "y"]);
    expect(p.positionals).toEqual(["create", "pos"]);
    expect(p.changed.has("nodes")).toBe(true);
  });

  it("keeps defaults for flags not given, and knows they were not given", () => {
    const p = parseFlags([], specs);
    expect(p.values.get("nodes")).toBe(2);
    expect(p.values.get("timeout")).toBe(25 * 60_000);
    expect(p.changed.size).toBe(0);
  });

  it("splits comma lists and key=value maps", () => {
    const p = parseFlags(["--zones", "a,b", "--zones=c", "--tags", "k1=v1,k2=v2"], specs);
    expect(p.values.get("zones")).toEqual(["a", "b", "c"]);
    expect(p.values.get("tags")).toEqual({ k1: "v1", k2: "v2" });
  });

  it("accepts --wait=false and Go durations", () => {
    const p = parseFlags(["--wait=false", "--timeout", "1h5m"], specs);
    expect(p.values.get("wait")).toBe(false);
    expect(p.values.get("timeout")).toBe(65 * 60_000);
    expect(formatDuration(65 * 60_000)).toBe("1h5m0s");
    expect(formatDuration(25 * 60_000)).toBe("25m0s");
  });

  it("words errors as pflag does", () => {
    const err = (args: string[]) => {
      try {
        parseFlags(args, specs);
      } catch (e) {
        expect(e).toBeInstanceOf(FlagError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err(["--bogus"])).toBe("unknown flag: --bogus");
    expect(err(["-x"])).toBe("unknown shorthand flag: 'x' in -x");
    expect(err(["--name"])).toBe("flag needs an argument: --name");
    expect(err(["-n"])).toBe("flag needs an argument: 'n' in -n");
    expect(err(["--nodes", "three"])).toBe(
      'invalid argument "three" for "-N, --nodes" flag: strconv.ParseInt: parsing "three": invalid syntax',
    );
  });
});

const noop = async () => {};
const commands: Command[] = [
  { verb: "get", noun: "nodegroup", summary: "Get nodegroup(s)", flags: specs, run: noop },
  { verb: "create", noun: "cluster", summary: "Create a cluster", flags: specs, run: noop },
  { verb: "apply", summary: "Apply a config", flags: [], run: noop },
];

describe("dispatch", () => {
  it("accepts eksctl's noun spellings", () => {
    for (const noun of ["nodegroup", "nodegroups", "ng"]) {
      const r = resolve(["get", noun, "--cluster", "x"], commands);
      expect(r.kind === "command" && r.invocation.command.noun).toBe("nodegroup");
    }
  });

  it("finds the verb and noun after global flags", () => {
    const r = resolve(["-v", "4", "create", "clusters", "--name", "a"], commands);
    expect(r.kind).toBe("command");
    if (r.kind === "command") expect(r.invocation.rest).toEqual(["-v", "4", "--name", "a"]);
  });

  it("runs a command without a noun", () => {
    const r = resolve(["apply", "-f", "x.yaml"], commands);
    expect(r.kind === "command" && r.invocation.command.verb).toBe("apply");
  });

  it("prints Error: … and exits 1 on mistakes, as cobra does", async () => {
    const out = {
      text: "",
      write(s: string) {
        this.text += s;
      },
    };
    const err = {
      text: "",
      write(s: string) {
        this.text += s;
      },
    };
    const io = { stdout: out, stderr: err };
    expect(await runCli(["create", "cluster", "--bogus"], commands, io)).toBe(1);
    expect(err.text).toBe("Error: unknown flag: --bogus\n");
    err.text = "";
    expect(await runCli(["get", "foo"], commands, io)).toBe(1);
    expect(err.text.split("\n")[0]).toBe('Error: unknown resource type "foo"');
    err.text = "";
    expect(await runCli(["create"], commands, io)).toBe(1);
    expect(err.text.split("\n")[0]).toBe('Error: please provide a valid resource for "create"');
    err.text = "";
    expect(await runCli(["frobnicate"], commands, io)).toBe(1);
    expect(err.text.split("\n")[0]).toBe('Error: unknown command "frobnicate" for "kumulus"');
  });

  it("prints help with exit 0", async () => {
    const out = {
      text: "",
      write(s: string) {
        this.text += s;
      },
    };
    const io = { stdout: out, stderr: out };
    expect(await runCli(["create", "cluster", "--help"], commands, io)).toBe(0);
    expect(out.text).toContain("Usage: kumulus create cluster");
    expect(out.text).toContain("-N, --nodes int");
  });
});
