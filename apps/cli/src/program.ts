import { LOG_LEVELS, parseOid, SESSION_LIST_STATUSES } from '@zen/contract';
import { Command, CommanderError, type HelpContext, InvalidArgumentError, Option } from 'commander';
import { exitWhenEchoed } from './echo';
import { describe, exitCodeOf, warn } from './reporting';
import { endWhenStdoutCloses } from './stdout';

declare const ZEN_SESSIONS_VERSION: string;

/** `--server` and `--token`, accepted before the command's name and after it. */
function withGlobalOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the service, base path included (env ZEN_SESSIONS_URL; default http://127.0.0.1:8558)')
    .option('--token <token>', 'sent as "Authorization: Bearer <token>" (env ZEN_SESSIONS_TOKEN)');
}

function integer(minimum: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < minimum) {
      throw new InvalidArgumentError(`expected an integer of at least ${minimum}`);
    }
    return Number(value);
  };
}

/**
 * The longest `--flush-timeout`: Node runs a timer longer than 2147483647 ms after 1 ms (with a
 * warning), so a longer one, meant as "wait very long", would not wait at all.
 */
const MAX_FLUSH_TIMEOUT_S = Math.floor(2_147_483_647 / 1000);

function seconds(value: string): number {
  const number = integer(0)(value);
  if (number > MAX_FLUSH_TIMEOUT_S)
    throw new InvalidArgumentError(`expected an integer of at most ${MAX_FLUSH_TIMEOUT_S} (about 24.8 days)`);
  return number;
}

/** A number the server takes as one (`cursor` is at most Number.MAX_SAFE_INTEGER): larger is a usage error, not a 400. */
function safeInteger(minimum: number) {
  const parse = integer(minimum);
  return (value: string): number => {
    const number = parse(value);
    if (!Number.isSafeInteger(number))
      throw new InvalidArgumentError(`expected an integer of at most ${Number.MAX_SAFE_INTEGER}`);
    return number;
  };
}

/** `--grep ""` would be the server's 400 (`q must not be empty`): a usage error, caught before any request. */
function nonEmpty(value: string): string {
  if (value === '') throw new InvalidArgumentError('must not be empty');
  return value;
}

/**
 * Usage errors on one line (exit 2, CLI.md): commander writes its error and the "(add --help for
 * usage)" hint as two, and puts a suggestion ("(Did you mean --json?)") on a line of its own; the
 * error's line breaks become spaces, so the hint ends it. Set on the program, so every command
 * (`run` too) inherits it. The help and the version meet a stdout that cannot take them as `ls`
 * does: closed (`--help | head -0`), quietly with exit 0; any other failure (a full disk), one
 * line and exit 1, never a stack trace.
 */
function oneLineErrors(command: Command): Command {
  let guarded = false;
  return command.configureOutput({
    outputError: (text, write) => write(text.replace(/\n/g, ' ')),
    writeOut: (text) => {
      if (!guarded) endWhenStdoutCloses();
      guarded = true;
      process.stdout.write(text);
    },
  });
}

/**
 * `zen-sessions` with no command (or `help` naming none of them): commander writes the whole help to
 * stderr, where every other usage error is one line (exit 2). One line here too, saying what is
 * missing; `--help` prints the usage.
 */
function oneLineMissingCommand(program: Command): Command {
  const help = program.help.bind(program);
  program.help = ((context?: HelpContext) => {
    if (!context?.error) return help(context);
    const [first, second] = program.args;
    const commands = program.commands.map((command) => command.name()).join(', ');
    return program.error(
      first === 'help' && second !== undefined
        ? `error: unknown command '${second}'`
        : `error: missing command: one of ${commands}`,
    );
  }) as Command['help'];
  return program;
}

function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals < 1) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, equals)]: value.slice(equals + 1) };
}

/**
 * The metadata keys `run` sets itself (CLI.md: the command line, cwd, host and pid when it starts,
 * exitCode and signal when the command ends), whose `--meta` would be replaced without a word.
 */
const RUN_METADATA_KEYS = ['command', 'cwd', 'host', 'pid', 'exitCode', 'signal'];

/** A `--meta key=value` (split at the first `=`: the value may hold more), not one of run's own keys. */
function metaField(value: string, previous?: Record<string, string>): Record<string, string> {
  const fields = keyValue(value, previous);
  const key = value.slice(0, value.indexOf('='));
  if (RUN_METADATA_KEYS.includes(key)) {
    throw new InvalidArgumentError(`"${key}" is set by run itself (${RUN_METADATA_KEYS.join(', ')}): use another key`);
  }
  return fields;
}

function sessionId(value: string): string {
  const id = parseOid(value);
  if (id === null) throw new InvalidArgumentError('a session id is 24 hexadecimal characters');
  return id;
}

/**
 * A command's action: its parsed arguments, its options merged with the program's (its own
 * winning), and whether an option was given (not its default: `run --id` keeps the fields not given).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command types its own arguments and options
type Action = (args: any, options: any, given: (option: string) => boolean) => Promise<number | void>;

/** Loads the command's module only when it runs, so `--version` and `--help` stay fast. */
function act(load: () => Promise<Action>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const run = await load();
    const given = (option: string) => {
      const source = command.getOptionValueSource(option);
      return source !== undefined && source !== 'default';
    };
    const code = await run(command.processedArgs, withProgramOptions(command), given);
    if (typeof code === 'number') process.exitCode = code;
  };
}

/**
 * The command's options over the program's: `zen-sessions --server A ls --server B` asks B, as a
 * later option wins (an alias's `--server` is overridden on its command line). Commander's
 * optsWithGlobals() lets the program's win.
 */
function withProgramOptions(command: Command): Record<string, unknown> {
  const own = Object.entries(command.opts()).filter(([, value]) => value !== undefined);
  return { ...command.parent?.opts(), ...Object.fromEntries(own) };
}

function buildProgram(): Command {
  const program = oneLineErrors(new Command('zen-sessions'))
    .description('Feed and watch zen-sessions: wrap a command, pipe a stream, tail a session.')
    .version(ZEN_SESSIONS_VERSION, '-V, --version', 'print the version')
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  withGlobalOptions(program);
  addRunCommand(program);
  addLogCommand(program);
  addTailCommand(program);
  addLsCommand(program);
  addEndCommand(program);
  return oneLineMissingCommand(program);
}

function addRunCommand(program: Command): void {
  withGlobalOptions(
    program
      .command('run')
      .description('run a command as a session: its output becomes the log, its exit code is yours')
      .usage('[options] -- <command> [args...]')
      .argument('<command...>', 'the command and its arguments')
      .option('--appname <name>', "the session's appname (default: the command's base name)")
      .option('--mode <mode>', "the session's mode", 'run')
      .option('--jobid <id>', "the session's job id")
      .option(
        '--meta <key=value>',
        'a metadata field (repeatable; not command, cwd, host, pid, exitCode or signal)',
        metaField,
      )
      .option('--id <oid>', 'the session id (an active one is continued; default: a new one)', sessionId)
      .option('--quiet', 'do not echo the output')
      .option('--level-from-markers', 'take levels from markers such as "Error:" or "LogCook: Warning:" (default)')
      .option('--no-level-from-markers', 'stdout lines are info, stderr lines warn, whatever they say')
      .addOption(
        new Option('--buffer-lines <n>', 'lines held while the server cannot be reached')
          .argParser(integer(1))
          .default(100_000),
      )
      .addOption(
        new Option('--flush-timeout <seconds>', 'longest wait for the server after the command ended')
          .argParser(seconds)
          .default(10),
      )
      .passThroughOptions(),
  ).action(act(async () => (await import('./commands/run')).runCommand));
}

function addLogCommand(program: Command): void {
  withGlobalOptions(
    program
      .command('log')
      .description('append one entry (the message) or every line of stdin to a session')
      .argument('<id>', 'the session id', sessionId)
      .argument('[message...]', 'the message, words joined by spaces; none: read stdin')
      .addOption(new Option('--level <level>', 'the level of every entry').choices(LOG_LEVELS).default('info')),
  ).action(act(async () => (await import('./commands/log')).logCommand));
}

function addTailCommand(program: Command): void {
  withGlobalOptions(
    program
      .command('tail')
      .description("print a session's log as <time> <LEVEL> <message> lines")
      .argument('<id>', 'the session id', sessionId)
      .option('-f, --follow', 'keep printing new entries as they arrive, until the session has ended (then exit 0)')
      .option('-n, --lines <n>', 'start with the last N held entries, or "all"', lineCount, 10)
      .option('--cursor <n>', 'start at this cursor instead', safeInteger(0))
      .addOption(new Option('--level <level>', 'only entries at this level or more severe').choices(LOG_LEVELS))
      .option('--grep <text>', 'only entries whose message contains the text (case-insensitive)', nonEmpty)
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'ndjson', 'json']).default('text')),
  ).action(act(async () => (await import('./commands/tail')).tailCommand));
}

function addLsCommand(program: Command): void {
  withGlobalOptions(
    program
      .command('ls')
      .description('list sessions, newest first')
      .addOption(new Option('--status <status>', 'which sessions').choices(SESSION_LIST_STATUSES).default('active'))
      .option('--json', "print the listing's sessions array as JSON"),
  ).action(act(async () => (await import('./commands/ls')).lsCommand));
}

function addEndCommand(program: Command): void {
  withGlobalOptions(
    program.command('end').description('end a session').argument('<id>', 'the session id', sessionId),
  ).action(act(async () => (await import('./commands/end')).endCommand));
}

function lineCount(value: string): number {
  if (value === 'all') return Infinity;
  return integer(0)(value);
}

/** Parses and runs; usage errors exit 2, failures 1 (with one line on stderr), `run` the command's code. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    warn(describe(error));
    process.exitCode = exitCodeOf(error);
  }
  exitIfHandlingSignals();
}

/** The signals `run`, `log` (reading stdin) and `tail -f` handle until the process has exited. */
const HANDLED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Node's own exit, once the event loop is empty, first closes the signal handlers (giving the
 * signals back their default action) and only then ends the process: a signal in between (a build
 * agent signalling the pid and then its group, Ctrl-C twice) would end it by the signal instead of
 * with its exit code. A command whose handlers are still in place therefore ends the process itself,
 * with its code, once stdout and stderr have taken what was written (process.exit() keeps the
 * handlers to the end).
 */
function exitIfHandlingSignals(): void {
  if (HANDLED_SIGNALS.some((signal) => process.listenerCount(signal) > 0))
    exitWhenEchoed(Number(process.exitCode ?? 0));
}
