/**
 * Flag parsing for the CLI on top of node:util's parseArgs, turning every mistake into a
 * one-line FolioError (unknown flag, missing value, a number that is not one, a value out
 * of range) instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkSetting, SETTINGS, type SettingName } from '../../shared/settings';
import { FolioError } from '../engine/errors';

export type Flags = Record<string, string | boolean | undefined>;

/** Parses one command's flags, allowing at most `maxPositionals` bare arguments. */
export function parseFlags(
  argv: string[],
  options: ParseArgsConfig['options'],
  command: string,
  maxPositionals = 0,
) {
  const help = `Run "npm run cli -- ${command} --help" for the options.`;
  let parsed;
  try {
    parsed = parseArgs({
      args: joinDashValues(argv, options ?? {}),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const first = (err as Error).message.split('\n')[0]!;
    // "--steps --hidden-size 8": parseArgs calls --steps' value "ambiguous"; it is missing.
    const ambiguous = /^Option '(-[^' ]+)[^']*' argument is ambiguous/.exec(first);
    const reason = ambiguous
      ? `${ambiguous[1]} is missing its value (the next word is another option)`
      : first.replace(/\.* To specify.*$|\.+$/, '');
    throw new FolioError(`${reason}. ${help}`, 'invalid-input');
  }
  const extra = parsed.positionals.slice(maxPositionals);
  if (extra.length > 0) throw new FolioError(`Unexpected argument "${extra[0]}". ${help}`);
  return { flags: parsed.values as Flags, positionals: parsed.positionals };
}

/**
 * parseArgs reads `--temperature -1` or `--prime "-Hark"` as two flags and calls the value
 * ambiguous. A value that starts with "-" but is not itself one of the command's flags is
 * what the user meant, so it is joined as `--prime=-Hark`.
 */
function joinDashValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const next = argv[i + 1];
    const takesValue = flag.startsWith('--') && options[flag.slice(2)]?.type === 'string';
    const nextIsFlag = next?.startsWith('--') === true && next.slice(2).split('=')[0]! in options;
    if (takesValue && next?.startsWith('-') && !nextIsFlag && next !== '-h') {
      out.push(`${flag}=${next}`);
      i++;
    } else out.push(flag);
  }
  return out;
}

/** A number flag; undefined when absent. */
export function numberFlag(flags: Flags, flag: string): number | undefined {
  const raw = flags[flag];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  // Plain decimal only: Number() would also take "0x10" as 16 and "0b11" as 3.
  const decimal = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text);
  const value = decimal ? Number(text) : NaN;
  if (!Number.isFinite(value))
    throw new FolioError(`--${flag} must be a number, got "${raw}".`, 'invalid-setting');
  return value;
}

/** A setting flag (e.g. --hidden-size), checked against its range in shared/settings. */
export function settingFlag(flags: Flags, name: SettingName): number | undefined {
  const flag = SETTINGS[name].flag.slice(2);
  const value = numberFlag(flags, flag);
  if (value === undefined) return undefined;
  const problem = checkSetting(name, value);
  if (problem) throw new FolioError(problem, 'invalid-setting');
  return value;
}

/** A flag's text; an empty one (`--out ""`) is refused, since no flag means "nothing". */
export function stringFlag(flags: Flags, flag: string): string | undefined {
  const value = flags[flag];
  if (value === '') {
    throw new FolioError(`--${flag} was given an empty value; give one, or leave it out.`);
  }
  return typeof value === 'string' ? value : undefined;
}

export function requireString(flags: Flags, flag: string, what: string): string {
  const value = stringFlag(flags, flag);
  if (!value) throw new FolioError(`--${flag} is required: ${what}.`, 'invalid-input');
  return value;
}

/** Options for parseArgs, from the flag names: all take a string value unless listed as switches. */
export function optionsFor(names: string[], switches: string[] = []): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const name of names) options[name] = { type: 'string' };
  for (const name of switches) options[name] = { type: 'boolean' };
  return options;
}
