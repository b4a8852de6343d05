import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { completionScript } from "../completion-scripts.ts";
import { globalFlags } from "../dispatch.ts";

export const command: Command = {
  verb: "completion",
  summary: "Generates shell completion scripts for bash, zsh or fish",
  args: "bash|zsh|fish",
  flags: [],
  async run({ args, commands }) {
    const shell = args[0];
    if (shell !== "bash" && shell !== "zsh" && shell !== "fish") {
      throw new CliError(
        shell ? `unsupported shell ${JSON.stringify(shell)}` : "please provide a shell: bash, zsh or fish",
      );
    }
    process.stdout.write(completionScript(shell, commands, globalFlags));
  },
};
