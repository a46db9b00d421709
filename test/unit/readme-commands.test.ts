/**
 * The README's commands cannot drift from the code: every shell command it shows names a
 * real npm script, `tidings` subcommand and option, environment variable and file; the
 * ones that run offline in a moment are run.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { variablesReadEnvReads } from '../helpers/env-names.ts';
import {
  REPO_ROOT,
  codeSpans,
  commandLines,
  readReadme,
  referencedVariables,
  relativeLinks,
  shellBlocks,
  simpleCommands,
  type SimpleCommand,
} from '../helpers/readme-text.ts';

const run = promisify(execFile);
const root = fileURLToPath(REPO_ROOT);
const readme = readReadme();
const scripts = Object.keys((JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8')) as { scripts: object }).scripts);
/** Build outputs and runtime data the README names; they exist only after a build or a run. */
const GENERATED = ['dist/', 'data/', 'data', 'test-output/', 'bench/results/'];
/** Programs a README command may run besides npm, npx and tidings, and what makes them right. */
const OTHER_PROGRAMS: Record<string, (args: string[]) => string | null> = {
  export: () => null,
  echo: () => null,
  openssl: (args) => (args[0] === 'rand' ? null : `only "openssl rand" is expected, got "openssl ${args.join(' ')}"`),
  curl: () => null,
  docker: (args) => (args[0] === 'compose' && existsSync(new URL('docker-compose.yml', REPO_ROOT)) ? null : 'docker compose needs docker-compose.yml'),
};

interface CliCommand {
  words: string[];
  /** Its usage line(s), for the options it takes. */
  usage: string;
}

/** The subcommands and global options from the CLI's own help text. */
async function cliHelp(): Promise<{ commands: CliCommand[]; options: string }> {
  let text = '';
  expect(await main(['help'], { out: (line) => (text += `${line}\n`), err: () => {} }, {})).toBe(0);
  const commandsSection = /^Commands:\n([\s\S]*?)\n\n/m.exec(text)?.[1] ?? '';
  const commands: CliCommand[] = [];
  for (const line of commandsSection.split('\n')) {
    if (/^ {2}[a-z]/.test(line))
      commands.push({
        words: leadingWords(
          line
            .trim()
            .split(/\s{2,}/)[0]!
            .split(' '),
        ),
        usage: line,
      });
    else if (commands.length > 0) commands.at(-1)!.usage += line;
  }
  return { commands, options: /^Options:\n([\s\S]*?)\n\n/m.exec(text)?.[1] ?? '' };
}

/** The subcommand's words: the lower-case words before the first option, placeholder or argument. */
function leadingWords(args: string[]): string[] {
  const words: string[] = [];
  for (const arg of args) {
    if (!/^[a-z]+$/.test(arg)) break;
    words.push(arg);
  }
  return words;
}

/** What is wrong with `tidings <args>` (null: nothing), checked against the help text. */
function cliProblem(args: string[], help: Awaited<ReturnType<typeof cliHelp>>): string | null {
  const words = leadingWords(args);
  if (words.length === 0 && args.every((arg) => /^[<…]/.test(arg))) return null; // `tidings <command>`, `tidings …`
  if (words.join(' ') === 'help' || args.includes('--help') || args.includes('-h')) return null;
  const command = help.commands.find((known) => known.words.join(' ') === words.join(' '));
  if (command === undefined)
    return `"tidings ${words.join(' ')}" is not a command (tidings help lists: ${help.commands.map((c) => c.words.join(' ')).join(', ')})`;
  const unknown = args
    .filter((arg) => arg.startsWith('-') && arg !== '-')
    .map((arg) => arg.replace(/^\[/, '').replace(/[\]=].*$/, ''))
    .filter((option) => !new RegExp(`${option}\\b`).test(command.usage) && !new RegExp(`${option}\\b`).test(help.options));
  return unknown.length > 0 ? `"tidings ${words.join(' ')}" takes no option ${unknown.join(', ')}` : null;
}

/** What is wrong with one simple command from the README (null: nothing). */
function commandProblem(command: SimpleCommand, help: Awaited<ReturnType<typeof cliHelp>>): string | null {
  const [program, ...args] = command.words;
  if (program === undefined) return null;
  if (program === 'npm') {
    const script = args[0] === 'run' ? args[1] : args[0];
    if (args[0] === 'ci' || args[0] === 'install') return null;
    return script !== undefined && scripts.includes(script) ? null : `"npm ${args.join(' ')}": package.json has no script "${script}"`;
  }
  if (program === 'npx') return args[0] === 'tidings' ? cliProblem(args.slice(1), help) : `npx runs only tidings here, got "npx ${args[0]}"`;
  if (program === 'tidings') return cliProblem(args, help);
  if (program === 'node' && args[0] === 'bin/tidings.mjs') return cliProblem(args.slice(1), help);
  const rule = OTHER_PROGRAMS[program];
  return rule ? rule(args) : `no rule for "${program}": add it to OTHER_PROGRAMS in this test if the README should run it`;
}

/** A relative path the README names that should be in the repository (null: not such a path). */
function repositoryPath(token: string): string | null {
  const candidate = token.replace(/^\.\//, '').replace(/[,.:;)]+$/, '');
  if (!candidate.includes('/') || /^[a-z]+:|^\//.test(candidate) || /[<>…*$]/.test(candidate)) return null;
  if (GENERATED.some((prefix) => candidate === prefix || candidate.startsWith(prefix))) return null;
  const first = candidate.split('/')[0]!;
  return first !== '' && existsSync(new URL(first, REPO_ROOT)) ? candidate : null;
}

const blocks = shellBlocks(readme);
const lines = blocks.flatMap((block) => commandLines(block.text));
const inlineCommands = codeSpans(readme).filter((span) => /^(npx tidings|tidings|node bin\/tidings\.mjs|npm) /.test(span));
let help: Awaited<ReturnType<typeof cliHelp>>;

beforeAll(async () => {
  help = await cliHelp();
});

describe('README commands', () => {
  it('has shell blocks to check, and the CLI help lists its commands', () => {
    expect(blocks.length).toBeGreaterThan(3);
    expect(help.commands.map((c) => c.words.join(' '))).toContain('sources list');
  });

  it('names only npm scripts, tidings commands and options, and programs that exist (fenced blocks)', () => {
    const problems = lines.flatMap((line) =>
      simpleCommands(line)
        .flatMap((command) => [command, ...command.substitutions.flatMap((inner) => simpleCommands(inner))])
        .map((command) => commandProblem(command, help))
        .filter((problem) => problem !== null)
        .map((problem) => `${line.trim()}\n  ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it('names only npm scripts and tidings commands and options that exist (inline code and the command table)', () => {
    expect(inlineCommands).toContain('tidings sources list');
    const problems = inlineCommands
      .map((span) => [span, commandProblem(simpleCommands(span.replace(/\.\.\./g, ''))[0]!, help)])
      .filter(([, problem]) => problem !== null);
    expect(problems).toEqual([]);
  });

  it('documents every tidings command the CLI has', () => {
    const documented = inlineCommands.map((span) => leadingWords(span.replace(/^(npx tidings|tidings|node bin\/tidings\.mjs) /, '').split(' ')).join(' '));
    expect(help.commands.map((c) => c.words.join(' ')).filter((command) => !documented.includes(command))).toEqual([]);
  });

  it('names only environment variables that readEnv reads', () => {
    const known = variablesReadEnvReads();
    const named = lines.flatMap((line) => [...simpleCommands(line).flatMap((c) => c.assignments), ...referencedVariables(line)]);
    expect(named.length).toBeGreaterThan(0);
    expect([...new Set(named)].filter((name) => !known.has(name))).toEqual([]);
  });

  it('lists exactly the variables readEnv reads in its environment table', () => {
    const table = /^Environment variables:\n\n((?:\|.*\n)+)/m.exec(readme)?.[1];
    if (table === undefined) throw new Error('README.md has no "Environment variables:" table');
    const listed = table
      .split('\n')
      .slice(2)
      .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!));
    expect(listed.sort()).toEqual([...variablesReadEnvReads()].sort());
  });

  it('names only files and folders that exist', () => {
    const tokens = [...lines, ...codeSpans(readme)].flatMap((text) => text.split(/[\s=:]+/));
    const paths = [...new Set([...tokens.map(repositoryPath).filter((p) => p !== null), ...relativeLinks(readme)])];
    expect(paths).toContain('src/admin/validate.ts');
    expect(paths.filter((path) => !existsSync(new URL(path, REPO_ROOT)))).toEqual([]);
  });
});

describe('README commands that run offline', () => {
  // Lines made only of these run offline at once: `tidings help` opens no database.
  const runsOffline = ({ words }: SimpleCommand) => ['export', 'echo'].includes(words[0]!) || words.slice(0, 3).join(' ') === 'npx tidings help';
  const offline = lines.filter((line) => simpleCommands(line).every(runsOffline));

  it('finds some: the help and the admin token', () => {
    expect(offline.some((line) => line.includes('tidings help'))).toBe(true);
    expect(offline.some((line) => line.includes('openssl rand'))).toBe(true);
  });

  it.each(offline)('runs `%s`', { timeout: 120_000 }, async (line) => {
    const { stdout } = await run('bash', ['-c', line], { cwd: root, env: { ...process.env, npm_config_offline: 'true' } });
    expect(stdout.trim()).not.toBe('');
    if (line.includes('tidings help')) expect(stdout).toContain('Usage: tidings <command>');
  });

  it('prints the admin token the quick start generates, so it can be kept', async () => {
    const line = offline.find((candidate) => candidate.includes('ADMIN_TOKEN=$(openssl rand'));
    expect(line).toBeDefined();
    const { stdout } = await run('bash', ['-c', line!], { cwd: root });
    expect(stdout).toMatch(/^[0-9a-f]{64}\n$/);
  });
});
