import type { Command, FrameIO, Program } from './command.js';

/** `PROGRAM --help`: every command (or one group's) with its summary, from the table alone. */
export function overview<IO extends FrameIO>(program: Program<IO>, group?: string): string {
  const names = Object.keys(program.commands).filter((name) => group === undefined || name.startsWith(`${group} `));
  const width = Math.max(...names.map((name) => name.length));
  const list = names.map((name) => `  ${name.padEnd(width)}  ${program.commands[name]!.summary}`).join('\n');
  const notes = program.notes === undefined ? '' : `\n${program.notes.trimEnd()}\n`;
  return `usage: ${program.name} COMMAND [ARGS]\n\nCommands:\n${list}\n\nRun '${program.name} COMMAND --help' for a command's arguments.\n${notes}`;
}

/** `PROGRAM COMMAND --help`: its usage lines, its summary, then its own notes. */
export function commandHelp<IO extends FrameIO>(program: Program<IO>, name: string, command: Command<IO>): string {
  const [synopsis = '', ...notes] = command.usage.trim().split(/\n[ \t]*\n/);
  const lines = synopsis.split('\n').map((line, i) => {
    if (line.startsWith(' ')) return `       ${line}`;
    return `${i === 0 ? 'usage:' : '      '} ${program.name} ${line}`;
  });
  const paragraphs = notes.map((paragraph) => `\n${paragraph}\n`).join('');
  return `${lines.join('\n')}\n\n${program.commands[name]!.summary}\n${paragraphs}`;
}
