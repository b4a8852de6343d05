import { CliError, type Command, Flags } from "./command.ts";
import { setAwsDebugLog } from "./eks-client.ts";
import { FlagError, type FlagSpec, flagUsages, parseFlags } from "./flags.ts";
import { Logger } from "./logger.ts";

// Turns argv into one command call, as eksctl's cobra tree does: `<verb> <noun> [args] [flags]`, nouns in
// any of the singular/plural/short forms eksctl accepts, global flags anywhere, and every failure as
// `Error: <message>` on stderr with exit status 1.

export const globalFlags: FlagSpec[] = [
  {
    name: "verbose",
    short: "v",
    type: "int",
    default: 3,
    usage: "set log level, use 0 to silence, 4 for debugging",
  },
  {
    name: "color",
    short: "C",
    type: "string",
    default: "true",
    usage: "toggle colorized logs (valid options: true, false, fabulous)",
  },
  { name: "dumpLogs", short: "d", type: "bool", usage: "dump logs to disk on failure if set to true" },
  { name: "help", short: "h", type: "bool", usage: "help for this command" },
];

/** Every spelling of a noun → its canonical form. */
export const NOUN_ALIASES: Record<string, string> = {
  cluster: "cluster",
  clusters: "cluster",
  nodegroup: "nodegroup",
  nodegroups: "nodegroup",
  ng: "nodegroup",
  fargateprofile: "fargateprofile",
  fargateprofiles: "fargateprofile",
  addon: "addon",
  addons: "addon",
  iamidentitymapping: "iamidentitymapping",
  iamidentitymappings: "iamidentitymapping",
  accessentry: "accessentry",
  accessentries: "accessentry",
  podidentityassociation: "podidentityassociation",
  podidentityassociations: "podidentityassociation",
  iamserviceaccount: "iamserviceaccount",
  iamserviceaccounts: "iamserviceaccount",
  cost: "cost",
  costs: "cost",
  "write-kubeconfig": "write-kubeconfig",
};

/** What each verb does, for the root --help. */
const VERB_SUMMARY: Record<string, string> = {
  create: "Create resource(s)",
  get: "Get resource(s)",
  update: "Update resource(s)",
  upgrade: "Upgrade resource(s)",
  delete: "Delete resource(s)",
  scale: "Scale resources(s)",
  drain: "Drain resource(s)",
  utils: "Various utils",
};

export interface Invocation {
  command: Command;
  /** argv minus the verb and noun. */
  rest: string[];
}

export type Resolution =
  | { kind: "command"; invocation: Invocation }
  | { kind: "help"; text: string }
  | { kind: "error"; message: string; help?: string };

const PROG = "kumulus";

function takesValue(token: string): boolean {
  const spec = globalFlags.find((f) => token === `--${f.name}` || (f.short && token === `-${f.short}`));
  return spec !== undefined && spec.type !== "bool";
}

/** Indexes of the tokens that are not flags or global-flag values: candidates for verb and noun. */
function words(argv: string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i];
    if (t === "--") break;
    if (t.startsWith("-") && t.length > 1) {
      if (takesValue(t)) i++;
      continue;
    }
    out.push(i);
  }
  return out;
}

export function rootHelp(commands: readonly Command[]): string {
  const verbs = [...new Set(commands.map((c) => c.verb))];
  const lines = verbs.map((v) => {
    const nouns = commands.filter((c) => c.verb === v && c.noun).map((c) => c.noun);
    const summary =
      commands.find((c) => c.verb === v && !c.noun)?.summary ??
      `${VERB_SUMMARY[v] ?? v}: ${nouns.join(", ")}`;
    return `  ${v.padEnd(12)} ${summary}`;
  });
  return [
    "The official CLI for Amazon EKS, on Kumulus",
    "",
    "Usage: kumulus [command] [flags]",
    "",
    "Commands:",
    ...lines,
    "",
    "Common flags:",
    flagUsages(globalFlags),
    "",
    `Use '${PROG} [command] --help' for more information about a command.`,
    "",
  ].join("\n");
}

function verbHelp(verb: string, commands: readonly Command[]): string {
  const own = commands.filter((c) => c.verb === verb && c.noun);
  return [
    `Usage: ${PROG} ${verb} [flags]`,
    "",
    "Commands:",
    ...own.map((c) => `  ${PROG} ${verb} ${c.noun!.padEnd(24)} ${c.summary}`),
    "",
    "Common flags:",
    flagUsages(globalFlags),
    "",
    `Use '${PROG} ${verb} [command] --help' for more information about a command.`,
    "",
  ].join("\n");
}

export function commandHelp(c: Command): string {
  return [
    c.summary,
    "",
    `Usage: ${PROG} ${c.verb}${c.noun ? ` ${c.noun}` : ""}${c.args ? ` ${c.args}` : ""} [flags]`,
    "",
    "Flags:",
    flagUsages(c.flags),
    "",
    "Common flags:",
    flagUsages(globalFlags),
    "",
  ].join("\n");
}

export function resolve(argv: string[], commands: readonly Command[]): Resolution {
  const w = words(argv);
  const helpAsked = argv.some((t) => t === "--help" || t === "-h");
  if (w.length === 0 || argv[w[0]] === "help") {
    if (w.length <= 1 || argv[w[0]] !== "help") return { kind: "help", text: rootHelp(commands) };
    // `help create cluster` = `create cluster --help`
    return resolve([...argv.filter((_, i) => i !== w[0]), "--help"], commands);
  }
  const verb = argv[w[0]];
  const forVerb = commands.filter((c) => c.verb === verb);
  if (forVerb.length === 0) {
    return {
      kind: "error",
      message: `unknown command ${JSON.stringify(verb)} for ${JSON.stringify(PROG)}`,
      help: `Run '${PROG} --help' for usage.`,
    };
  }
  const bare = forVerb.find((c) => !c.noun);
  if (bare) {
    if (helpAsked) return { kind: "help", text: commandHelp(bare) };
    return { kind: "command", invocation: { command: bare, rest: argv.filter((_, i) => i !== w[0]) } };
  }
  if (w.length < 2) {
    if (helpAsked) return { kind: "help", text: verbHelp(verb, commands) };
    return {
      kind: "error",
      message: `please provide a valid resource for ${JSON.stringify(verb)}`,
      help: verbHelp(verb, commands),
    };
  }
  const word = argv[w[1]];
  const noun = NOUN_ALIASES[word] ?? word;
  const command = forVerb.find((c) => c.noun === noun);
  if (!command) {
    return {
      kind: "error",
      message: `unknown resource type ${JSON.stringify(word)}`,
      help: verbHelp(verb, commands),
    };
  }
  if (helpAsked) return { kind: "help", text: commandHelp(command) };
  return { kind: "command", invocation: { command, rest: argv.filter((_, i) => i !== w[0] && i !== w[1]) } };
}

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
}

function errorText(e: unknown, verbosity: number): string {
  if (e instanceof CliError || e instanceof FlagError) return e.message;
  if (e instanceof Error) {
    // Errors from eksctl's config loader carry eksctl's wording already.
    if (e.name === "EksctlError" || e.name === "TimeoutError") return e.message;
    return verbosity >= 4 && e.stack
      ? e.stack
      : e.name && e.name !== "Error"
        ? `${e.name}: ${e.message}`
        : e.message;
  }
  return String(e);
}

/** Runs one command line; returns the exit status. */
export async function runCli(
  argv: string[],
  commands: readonly Command[],
  io: Io = process,
): Promise<number> {
  const r = resolve(argv, commands);
  if (r.kind === "help") {
    io.stdout.write(r.text);
    return 0;
  }
  if (r.kind === "error") {
    io.stderr.write(`Error: ${r.message}\n`);
    if (r.help) io.stderr.write(`${r.help}\n`);
    return 1;
  }
  const { command, rest } = r.invocation;
  let verbosity = 3;
  try {
    const parsed = parseFlags(rest, [...command.flags, ...globalFlags]);
    const flags = new Flags(parsed);
    verbosity = flags.int("verbose") ?? 3;
    const log = new Logger({ verbosity, color: flags.string("color"), out: io.stdout });
    setAwsDebugLog((m) => log.debug(m));
    await command.run({ flags, args: parsed.positionals, log, commands });
    return 0;
  } catch (e) {
    io.stderr.write(`Error: ${errorText(e, verbosity)}\n`);
    return 1;
  }
}
