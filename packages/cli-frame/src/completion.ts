import type { Command, FrameIO, Program } from './command.js';
import { UsageError } from './exit-codes.js';

const SHELLS = ['bash', 'zsh'];

/**
 * `PROGRAM completion bash|zsh`: a completion script generated from the program's own command
 * table, so it knows every command, group and option the program does. zsh runs the bash function
 * through bashcompinit.
 */
export function completionCommand<IO extends FrameIO>(program: Program<IO>): Command<IO> {
  return {
    usage: `completion bash|zsh

Add eval "$(${program.name} completion bash)" to ~/.bashrc, or the zsh one to ~/.zshrc.`,
    options: {},
    positionals: ['SHELL'],
    async run({ positionals }, io) {
      const shell = positionals[0]!;
      if (!SHELLS.includes(shell)) throw new UsageError(`completion: SHELL is bash or zsh, not '${shell}'`);
      const script = await bashScript(program);
      io.stdout.write(shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${script}` : script);
      return 0;
    },
  };
}

async function bashScript<IO extends FrameIO>(program: Program<IO>): Promise<string> {
  const names = Object.keys(program.commands);
  const options = await Promise.all(names.map(async (name) => Object.keys((await program.commands[name]!.load()).options).map((o) => `--${o}`)));
  const groups = [...new Set(names.filter((n) => n.includes(' ')).map((n) => n.split(' ')[0]!))];
  const fn = `_${program.name.replace(/\W/g, '_')}`;
  const cases = [
    // Longest first: `device register` before the group `device`.
    ...names
      .map((name, i) => ({ name, words: [...(name === 'completion' ? SHELLS : []), ...options[i]!, '--help'] }))
      .sort((a, b) => b.name.length - a.name.length)
      .map(({ name, words }) => `    "${name} "*) reply="${words.join(' ')}" ;;`),
    ...groups.map((group) => `    "${group} ") reply="${names.filter((n) => n.startsWith(`${group} `)).map((n) => n.slice(group.length + 1)).join(' ')}" ;;`),
    `    "help ") reply="${[...new Set(names.map((n) => n.split(' ')[0]))].join(' ')}" ;;`,
    `    "") reply="${[...new Set(names.map((n) => n.split(' ')[0]))].join(' ')} help --help" ;;`,
  ];
  return `# ${program.name} completion, generated from its command table
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" typed="" reply=""
  local word
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    [[ $word == -* ]] && break
    typed+="$word "
  done
  case "$typed" in
${cases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$reply" -- "$cur"))
}
complete -o default -F ${fn} ${program.name}
`;
}
