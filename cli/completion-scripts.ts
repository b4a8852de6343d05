import type { Command } from "./command.ts";
import type { FlagSpec } from "./flags.ts";

// Shell completion for kumulus: verbs, then nouns, then the chosen command's flags. Generated from the
// command table, so a new command completes without touching this file.

interface Tree {
  verbs: string[];
  nouns: Map<string, string[]>;
  /** "verb noun" or "verb" → flags */
  flags: Map<string, string[]>;
}

function tree(commands: readonly Command[], globals: FlagSpec[]): Tree {
  const verbs = [...new Set(commands.map((c) => c.verb))];
  const nouns = new Map<string, string[]>();
  const flags = new Map<string, string[]>();
  for (const c of commands) {
    if (c.noun) nouns.set(c.verb, [...(nouns.get(c.verb) ?? []), c.noun]);
    const key = c.noun ? `${c.verb} ${c.noun}` : c.verb;
    const names = [...c.flags, ...globals].filter((f) => !f.hidden).map((f) => `--${f.name}`);
    flags.set(key, names);
  }
  return { verbs, nouns, flags };
}

function bash(t: Tree): string {
  const nounCases = [...t.nouns].map(([v, ns]) => `    ${v}) words="${ns.join(" ")}" ;;`).join("\n");
  const flagCases = [...t.flags].map(([k, fs]) => `    "${k}") words="${fs.join(" ")}" ;;`).join("\n");
  return `# bash completion for kumulus. Load with: source <(kumulus completion bash)
_kumulus() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" verb="" noun="" words="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if [[ -z "$verb" ]]; then verb="$w"; elif [[ -z "$noun" ]]; then noun="$w"; fi
  done
  if [[ -z "$verb" ]]; then
    words="${t.verbs.join(" ")}"
  elif [[ -z "$noun" && "$cur" != -* ]]; then
    case "$verb" in
${nounCases}
    esac
  fi
  if [[ -z "$words" ]]; then
    case "$verb\${noun:+ $noun}" in
${flagCases}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _kumulus kumulus
`;
}

function zsh(t: Tree): string {
  return `#compdef kumulus
# zsh completion for kumulus. Load with: source <(kumulus completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(t)}`;
}

function fish(t: Tree): string {
  const lines = ["# fish completion for kumulus. Load with: kumulus completion fish | source"];
  lines.push(`complete -c kumulus -f -n "__fish_use_subcommand" -a "${t.verbs.join(" ")}"`);
  for (const [v, ns] of t.nouns) {
    lines.push(
      `complete -c kumulus -f -n "__fish_seen_subcommand_from ${v}; and not __fish_seen_subcommand_from ${ns.join(" ")}" -a "${ns.join(" ")}"`,
    );
  }
  for (const [k, fs] of t.flags) {
    const parts = k.split(" ");
    const cond = parts.map((p) => `__fish_seen_subcommand_from ${p}`).join("; and ");
    for (const f of fs) lines.push(`complete -c kumulus -f -n "${cond}" -l ${f.slice(2)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function completionScript(
  shell: "bash" | "zsh" | "fish",
  commands: readonly Command[],
  globals: FlagSpec[],
): string {
  const t = tree(commands, globals);
  return shell === "bash" ? bash(t) : shell === "zsh" ? zsh(t) : fish(t);
}
