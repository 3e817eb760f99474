/**
 * `--adapter NAME` and the flags every adapter declares (`Adapter.flags`), read generically: a flag
 * belongs to the adapters that declare it, is refused in words without one of them, and its value is
 * parsed by its kind (`json` naming the flag when it does not parse). The adapter then checks its
 * options; a problem names the flag it came from. All of it a usage error (exit 2).
 */
import { AdapterOptionError, type AdapterFlag } from '../core/adapters/adapter';
import { adapterNames, adapters, findAdapter, resolveAdapter } from '../core/adapters/registry';
import type { AdapterChoice } from '../core/options';
import type { AdapterName } from '../core/records';
import { UsageError } from './usageError';

type FlagOption = { type: 'string' | 'boolean'; multiple?: boolean };

/** Every adapter's flags, each flag once, with the adapters that read it. */
function flagTable(): Map<string, { flag: AdapterFlag; owners: AdapterName[] }> {
  const table = new Map<string, { flag: AdapterFlag; owners: AdapterName[] }>();
  for (const a of adapters()) {
    for (const flag of a.flags) {
      const name = flag.flag.slice(2);
      const entry = table.get(name);
      if (entry) {
        entry.owners.push(a.name);
      } else {
        table.set(name, { flag, owners: [a.name] });
      }
    }
  }
  return table;
}

/** The parseArgs options of `--adapter` and of every adapter flag. */
export function adapterOptions(): Record<string, FlagOption> {
  const out: Record<string, FlagOption> = { adapter: { type: 'string' } };
  for (const [name, { flag }] of flagTable()) {
    out[name] =
      flag.kind === 'boolean' ? { type: 'boolean' } : flag.kind === 'list' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  return out;
}

/** The adapter chosen on the command line with its options checked, or undefined; throws {@link UsageError}. */
export function parseAdapterArgs(values: Record<string, unknown>): AdapterChoice | undefined {
  const table = flagTable();
  const name = values.adapter as string | undefined;
  if (name === undefined) {
    for (const [flag, { owners }] of table) {
      if (values[flag] !== undefined) {
        throw new UsageError(`--${flag} is for --adapter ${owners.join(' / ')}`);
      }
    }
    return undefined;
  }
  const adapter = findAdapter(name);
  if (!adapter) {
    throw new UsageError(`--adapter: unknown adapter "${name}" (known: ${adapterNames().join(', ')})`);
  }
  const options: Record<string, unknown> = {};
  const flagOf = new Map<string, string>();
  for (const [flag, { owners }] of table) {
    const value = values[flag];
    if (value === undefined) {
      continue;
    }
    const own = adapter.flags.find((f) => f.flag === `--${flag}`);
    if (!own) {
      throw new UsageError(`--${flag} is for --adapter ${owners.join(' / ')}, not ${adapter.name}`);
    }
    flagOf.set(own.option, own.flag);
    options[own.option] = flagValue(own, value);
  }
  try {
    resolveAdapter({ name: adapter.name, options });
  } catch (err) {
    if (err instanceof AdapterOptionError) {
      const flag = flagOf.get(err.option);
      throw new UsageError(`${flag ?? `--adapter ${adapter.name}`}: ${err.message.slice(err.option.length + 2)}`);
    }
    throw err;
  }
  return { name: adapter.name, options };
}

function flagValue(flag: AdapterFlag, value: unknown): unknown {
  switch (flag.kind) {
    case 'json':
      try {
        return JSON.parse(value as string);
      } catch (err) {
        throw new UsageError(`${flag.flag} needs JSON: ${(err as Error).message}`);
      }
    case 'number': {
      const n = Number(value);
      if ((value as string).trim() === '' || !Number.isFinite(n)) {
        throw new UsageError(`${flag.flag} needs a number, got "${String(value)}"`);
      }
      return n;
    }
    default:
      return value;
  }
}

/** The adapters' part of `--help`: each adapter with its flags, generated from what they declare. */
export function adapterUsage(): string {
  const lines = [
    'Protocol adapters (WebSocket):',
    `  --adapter NAME               speak and decode a protocol: ${adapterNames().join(', ')}. Messages`,
    '                               carry "decoded" (--json) and show their type; --send goes through',
    '                               the protocol; keep-alive traffic is shown, not counted by --count',
  ];
  for (const a of adapters()) {
    lines.push(`  ${a.name}:`);
    for (const f of a.flags) {
      const arg = f.kind === 'boolean' ? '' : f.kind === 'json' ? ' JSON' : f.kind === 'number' ? ' N' : ' VALUE';
      const left = `    ${f.flag}${arg}${f.kind === 'list' ? ' (repeatable)' : ''}`;
      lines.push(left.length < 31 ? `${left.padEnd(31)}${f.help}` : `${left}\n${' '.repeat(31)}${f.help}`);
    }
  }
  return lines.join('\n');
}
