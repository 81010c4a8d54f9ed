#!/usr/bin/env node
/**
 * The `threadline` command: picks the sub-command and hands over to it, nothing more. A command is
 * one line in COMMANDS; its module is imported only when it runs, so `threadline doctor` does not
 * load the service. Exit codes: the command's own, 2 for an unknown command.
 */
const print = (line: string) => void process.stdout.write(`${line}\n`);

interface Command {
  readonly about: string;
  /** Whether the command takes arguments after its name. */
  readonly takesArguments?: boolean;
  /** Runs the command with the arguments after its name; a number becomes the exit code. */
  readonly run: (args: readonly string[]) => Promise<unknown>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  start: { about: 'run Threadline (what `threadline` alone does)', run: () => import('./main.ts') },
  doctor: {
    about: 'check the settings, Slack, each platform and the store; exit code 1 if a check fails',
    run: async () => (await import('./doctor/doctor.ts')).runDoctor(process.env, print),
  },
  journal: {
    about: 'parked: list the messages set aside; replay <id>: process one again',
    takesArguments: true,
    run: async (args) => (await import('./journal-command.ts')).runJournalCommand(args, process.env, print),
  },
  detect: {
    about: 'the language of each text (arguments, or lines of standard input): a routing tag or "unsure" per line',
    takesArguments: true,
    run: async (args) => {
      const { readStandardInput, runDetectCommand } = await import('./detect-command.ts');
      return runDetectCommand(args, {
        readInput: readStandardInput,
        out: print,
        err: (line) => void process.stderr.write(`${line}\n`),
      });
    },
  },
  help: { about: 'show this help', run: async () => print(usage()) },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  threadline ${name.padEnd(width)}  ${command.about}`);
  return ['Usage: threadline [command]', '', ...lines].join('\n');
}

const [name = 'start', ...extra] = process.argv.slice(2);
const command = ['-h', '--help'].includes(name) ? COMMANDS.help : COMMANDS[name];
if (command === undefined || (extra.length > 0 && command.takesArguments !== true)) {
  process.stderr.write(`${command === undefined ? `Unknown command: ${name}` : `threadline ${name} takes no arguments`}\n\n${usage()}\n`);
  process.exitCode = 2;
} else {
  const code = await command.run(extra);
  if (typeof code === 'number') process.exitCode = code;
}
