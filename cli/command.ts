import type { FlagSpec, FlagValue, Parsed } from "./flags.ts";
import type { Logger } from "./logger.ts";

// The contract between cli/main.ts and each command file (cli/commands/<verb>-<noun>.ts, cli/apply/).
// A command declares its flags; the dispatcher parses them, adds the global ones, and calls `run`.

export interface Command {
  verb: string;
  /** Canonical noun ("cluster", "nodegroup"); absent for a verb alone (`apply`, `completion`). */
  noun?: string;
  summary: string;
  /** The positional part of the usage line, e.g. "[NAME]". */
  args?: string;
  flags: FlagSpec[];
  run(ctx: CommandContext): Promise<void>;
}

export interface CommandContext {
  flags: Flags;
  /** Positional arguments after the verb and noun. */
  args: string[];
  log: Logger;
  /** Every registered command, for `completion`. */
  commands: readonly Command[];
}

/** Typed access to parsed flags. */
export class Flags {
  constructor(private readonly parsed: Parsed) {}

  /** Whether the user gave the flag (defaults do not count). */
  changed(name: string): boolean {
    return this.parsed.changed.has(name);
  }
  string(name: string): string | undefined {
    const v = this.parsed.values.get(name);
    return typeof v === "string" ? v : undefined;
  }
  int(name: string): number | undefined {
    const v = this.parsed.values.get(name);
    return typeof v === "number" ? v : undefined;
  }
  /** Duration flags are milliseconds. */
  duration(name: string): number | undefined {
    return this.int(name);
  }
  bool(name: string): boolean {
    return this.parsed.values.get(name) === true;
  }
  list(name: string): string[] {
    const v = this.parsed.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  map(name: string): Record<string, string> {
    const v: FlagValue | undefined = this.parsed.values.get(name);
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  }
  /** Names of the flags the user gave, in no particular order. */
  given(): string[] {
    return [...this.parsed.changed];
  }
}

/** A failure the user caused or must act on: printed as `Error: <message>`, exit 1. */
export class CliError extends Error {
  override name = "CliError";
}
