/**
 * `realtime-inspector mcp URL`: one MCP session step by step — initialize, the lists, a tool call, a
 * resource read or a prompt — printed readably or as the session's records (`--json`). A thin front on
 * the core's `McpSession`. Exit status: 0 every step asked for succeeded, 1 a step failed (a JSON-RPC
 * error, a tool result with `isError`, an HTTP refusal), 2 a usage error, 3 the server could not be reached.
 */
import { parseArgs } from 'node:util';
import { contentParts } from '../core/mcp/describe';
import { McpError, McpSession } from '../core/mcp';
import { environmentResolver } from '../core/profileFile';
import { serializeRecord } from '../core/records';
import { resolveProfile } from '../core/resolve';
import { version } from '../../package.json';
import { parseHeaders, UsageError } from './args';
import { formatRecord } from './format';
import type { CliIo } from './run';
import { MCP_USAGE } from './usage';

export const MCP_OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  list: { type: 'boolean' },
  call: { type: 'string' },
  args: { type: 'string' },
  read: { type: 'string' },
  get: { type: 'string' },
  json: { type: 'boolean' },
  sse: { type: 'boolean' },
  timeout: { type: 'string' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface McpArgs {
  url: string;
  headers: Record<string, string>;
  list: boolean;
  call?: string;
  read?: string;
  get?: string;
  args: Record<string, unknown>;
  json: boolean;
  sse: boolean;
  timeoutMs?: number;
  insecure: boolean;
}

export function parseMcpArgs(argv: string[]): McpArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: MCP_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`mcp: ${(err as Error).message.split('\n')[0]}`);
  }
  const v = parsed.values;
  if (v.help) {
    return 'help';
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      parsed.positionals.length
        ? `mcp takes one URL, got ${parsed.positionals.join(' ')}`
        : "mcp needs the server's URL (http:// or https://)",
    );
  }
  const url = parsed.positionals[0];
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new UsageError(`mcp: invalid URL "${url}"`);
  }
  if (scheme !== 'http:' && scheme !== 'https:') {
    throw new UsageError(`mcp: the URL must be http:// or https://, got "${scheme}"`);
  }
  let args: Record<string, unknown> = {};
  if (v.args !== undefined) {
    if (v.call === undefined && v.get === undefined) {
      throw new UsageError('--args goes with --call TOOL or --get PROMPT');
    }
    let value: unknown;
    try {
      value = JSON.parse(v.args);
    } catch (err) {
      throw new UsageError(`--args is not JSON: ${(err as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError('--args must be a JSON object, such as \'{"text":"hi"}\'');
    }
    args = value as Record<string, unknown>;
  }
  let timeoutMs: number | undefined;
  if (v.timeout !== undefined) {
    if (!/^\d+$/.test(v.timeout) || Number(v.timeout) < 1) {
      throw new UsageError(`--timeout needs a whole number of milliseconds, got "${v.timeout}"`);
    }
    timeoutMs = Number(v.timeout);
  }
  return {
    url,
    headers: parseHeaders(v.header),
    list: !!v.list || (v.call === undefined && v.read === undefined && v.get === undefined),
    call: v.call,
    read: v.read,
    get: v.get,
    args,
    json: !!v.json,
    sse: !!v.sse,
    timeoutMs,
    insecure: !!v.insecure,
  };
}

/** Most characters of one result part printed readably (the whole result is in `--json`). */
const MAX_SHOWN = 64 * 1024;

export async function runMcp(argv: string[], io: CliIo): Promise<number> {
  let args: McpArgs;
  try {
    const parsed = parseMcpArgs(argv);
    if (parsed === 'help') {
      io.stdout.write(MCP_USAGE + '\n');
      return 0;
    }
    args = parsed;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`realtime-inspector: ${err.message} (see mcp --help)\n`);
      return 2;
    }
    throw err;
  }
  // ${env:NAME} and ${secret:NAME} (RI_SECRET_NAME) in headers, as in profiles; their values are masked.
  const resolved = await resolveProfile({ url: args.url, headers: args.headers }, environmentResolver(io.env));
  if (!resolved.ok) {
    io.stderr.write(`realtime-inspector: ${resolved.error.message}\n`);
    return 2;
  }
  // A reader that went away (`| head`) ends nothing but the output.
  io.stdout.on('error', () => undefined);
  const out = (line: string) => io.stdout.write(line + '\n');
  const session = new McpSession({
    url: resolved.value.url,
    headers: resolved.value.headers,
    secrets: resolved.secrets,
    transport: args.sse ? 'sse' : 'auto',
    requestTimeoutMs: args.timeoutMs,
    tls: args.insecure ? { insecure: true } : undefined,
    proxy: { fromEnv: true },
    clientInfo: { name: 'realtime-inspector', version },
  });
  session.onRecord((r) => {
    if (args.json) {
      out(serializeRecord(r));
    } else if (r.kind === 'error' || (r.kind === 'info' && !/^retry:/.test(r.message))) {
      io.stderr.write(formatRecord(r, { color: !!io.stderr.isTTY }) + '\n');
    }
  });
  const mask = (s: string) => session.redactor.text(s);
  let status = 0;
  const step = async (what: () => Promise<void>) => {
    try {
      await what();
    } catch (err) {
      if (!(err instanceof McpError)) {
        throw err;
      }
      status = Math.max(status, err.failure === 'unreachable' ? 3 : 1);
      // Other failures were shown as their error record already.
      if (!args.json && (err.failure === 'rpc' || err.failure === 'closed')) {
        io.stderr.write(`realtime-inspector: ${mask(err.message)}\n`);
      }
    }
  };
  try {
    await step(async () => {
      const init = await session.initialize();
      if (!args.json) {
        const info = init.serverInfo as { name?: string; version?: string } | undefined;
        out(
          `MCP ${mask([info?.name, info?.version].filter(Boolean).join(' ') || 'server')}: protocol ${init.protocolVersion}, ${init.transport === 'sse' ? 'HTTP+SSE (2024-11-05 transport)' : 'Streamable HTTP'}${init.sessionId ? `, session ${mask(init.sessionId)}` : ''}`,
        );
        out(`capabilities: ${Object.keys(init.capabilities ?? {}).join(', ') || 'none'}`);
        if (init.instructions) {
          out(`instructions: ${mask(init.instructions)}`);
        }
      }
    });
    if (session.state !== 'ready') {
      return status || 1;
    }
    if (args.list) {
      for (const kind of ['tools', 'resources', 'prompts'] as const) {
        await step(async () => {
          const items = await session.list(kind);
          if (!args.json && items) {
            out(`${kind} (${items.length}):`);
            for (const item of items) {
              const o = item as { name?: string; uri?: string; description?: string };
              out(
                `  ${mask(kind === 'resources' ? `${o.uri ?? '?'}${o.name ? ` (${o.name})` : ''}` : (o.name ?? '?'))}${o.description ? ` — ${mask(o.description)}` : ''}`,
              );
            }
          }
        });
      }
    }
    if (args.call !== undefined) {
      const tool = args.call;
      await step(async () => {
        const result = await session.callTool(tool, args.args, (p) => {
          const o = p as { progress?: number; total?: number; message?: string };
          if (!args.json) {
            out(`progress ${o.progress ?? '?'}${o.total !== undefined ? `/${o.total}` : ''}${o.message ? ` ${mask(o.message)}` : ''}`);
          }
        });
        if (!args.json) {
          out(`${result.isError === true ? 'tool error' : 'result'} of ${mask(tool)}:`);
          printParts(result, out, mask);
        }
        if (result.isError === true) {
          status = Math.max(status, 1);
        }
      });
    }
    if (args.read !== undefined) {
      const uri = args.read;
      await step(async () => {
        const result = await session.readResource(uri);
        if (!args.json) {
          out(`resource ${mask(uri)}:`);
          printParts(result, out, mask);
        }
      });
    }
    if (args.get !== undefined) {
      const name = args.get;
      await step(async () => {
        const strings = Object.fromEntries(Object.entries(args.args).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
        const result = await session.getPrompt(name, strings);
        if (!args.json) {
          out(`prompt ${mask(name)}:`);
          printParts(result, out, mask);
        }
      });
    }
  } finally {
    await session.close();
    session.dispose();
  }
  return status;
}

function printParts(result: unknown, out: (line: string) => void, mask: (s: string) => string): void {
  for (const part of contentParts(result)) {
    let text: string;
    switch (part.kind) {
      case 'text':
        text = part.text;
        break;
      case 'image':
        text = `[image ${part.mimeType}, ${Math.floor((part.data.length * 3) / 4)} bytes]`;
        break;
      case 'json':
        text = JSON.stringify(part.value, null, 2) ?? 'null';
        break;
      case 'other':
        text = `[${part.type}] ${JSON.stringify(part.value)}`;
        break;
    }
    const shown =
      text.length > MAX_SHOWN
        ? `${text.slice(0, MAX_SHOWN)}\n… ${text.length - MAX_SHOWN} more characters (the whole result is in --json)`
        : text;
    out(
      mask(shown)
        .split('\n')
        .map((l) => '  ' + escapeControls(l))
        .join('\n'),
    );
  }
}

/** A server's text printed on a terminal: control characters (escape sequences) shown, never run. */
function escapeControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
