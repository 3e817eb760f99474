/**
 * The MCP view beside the log of an MCP session: what the server said of itself (name, version,
 * protocol version, session id), its tools, resources and prompts (from the log's `mcp` records), and
 * for the one selected a form (a tool's `inputSchema`, a prompt's arguments) with Call / Read / Get.
 * The host runs the call (`mcpCall`); its result shows below. Everything here came from the server:
 * text only (`h()`), images through data: URLs.
 */
import type { ConnRecord, McpCallMethod, McpResultMessage } from '../../src/protocol';
import { append, button, h } from '../dom';
import { renderFailure, renderResult } from './result';
import { SchemaForm, promptSchema } from './schemaForm';

export interface McpViewHost {
  call(method: McpCallMethod, name: string, args: Record<string, unknown>): Promise<McpResultMessage>;
}

type ListKind = 'tools' | 'resources' | 'prompts';

const LISTS: { kind: ListKind; title: string; method: McpCallMethod; verb: string }[] = [
  { kind: 'tools', title: 'Tools', method: 'tools/call', verb: 'Call' },
  { kind: 'resources', title: 'Resources', method: 'resources/read', verb: 'Read' },
  { kind: 'prompts', title: 'Prompts', method: 'prompts/get', verb: 'Get' },
];

interface Item {
  /** The tool's or prompt's name, or the resource's URI. */
  key: string;
  title: string;
  description?: string;
  schema?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function itemOf(kind: ListKind, raw: unknown): Item | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  const key = kind === 'resources' ? str(o.uri) : str(o.name);
  if (key === undefined) {
    return undefined;
  }
  return {
    key,
    title: str(o.title) ?? (kind === 'resources' ? (str(o.name) ?? key) : key),
    description: str(o.description) ?? (kind === 'resources' && str(o.name) ? key : undefined),
    schema: kind === 'tools' ? o.inputSchema : kind === 'prompts' ? promptSchema(o.arguments) : undefined,
  };
}

export class McpView {
  readonly el: HTMLElement;
  private readonly info = h('div', { class: 'mcp-info', role: 'status' });
  private readonly listsEl = h('div', { class: 'mcp-lists' });
  private readonly detail = h('div', { class: 'mcp-detail' });
  private lists: Record<ListKind, Item[] | undefined> = { tools: undefined, resources: undefined, prompts: undefined };
  private selected: { kind: ListKind; key: string } | undefined;
  private nextFormId = 1;

  constructor(private readonly host: McpViewHost) {
    this.el = h('aside', { class: 'mcp-view', 'aria-label': 'MCP server' }, this.info, this.listsEl, this.detail);
    this.reset([]);
  }

  /** The log's records anew (init, cleared). */
  reset(records: readonly ConnRecord[]): void {
    this.lists = { tools: undefined, resources: undefined, prompts: undefined };
    this.info.replaceChildren(h('span', { class: 'mcp-muted' }, 'Not initialized: connect to the server.'));
    this.add(records);
    if (!this.selected || !this.find(this.selected.kind, this.selected.key)) {
      this.select(undefined);
    }
  }

  /** New records: `mcp` ones update what the view shows. */
  add(records: readonly ConnRecord[]): void {
    let changed = false;
    for (const r of records) {
      if (r.kind !== 'mcp') {
        continue;
      }
      if (r.event === 'initialized') {
        this.showInfo(r);
        this.lists = { tools: undefined, resources: undefined, prompts: undefined };
        changed = true;
      } else if (r.event === 'tools' || r.event === 'resources' || r.event === 'prompts') {
        const kind = r.event;
        this.lists[kind] = (r.items ?? []).map((raw) => itemOf(kind, raw)).filter((x): x is Item => x !== undefined);
        changed = true;
      } else if (r.event === 'expired') {
        this.info.append(h('div', { class: 'mcp-warning' }, 'The server forgot this session: connect again to initialize.'));
      }
    }
    if (changed) {
      this.renderLists();
    }
  }

  private showInfo(r: Extract<ConnRecord, { kind: 'mcp' }>): void {
    const server = r.serverInfo ?? {};
    const name = [str(server.name), str(server.version)].filter(Boolean).join(' ') || 'Unnamed server';
    const row = (label: string, value: string, cls = '') =>
      h(
        'div',
        { class: 'mcp-info-row' },
        h('span', { class: 'mcp-info-label' }, label),
        h('span', { class: `mcp-info-value ${cls}` }, value),
      );
    const children: Node[] = [
      h('div', { class: 'mcp-server-name' }, name),
      row('Protocol', r.protocolVersion ?? '?', 'mcp-protocol'),
      row('Session', r.sessionId ?? 'none (the server keeps no session)', 'mcp-session-id'),
      row('Transport', r.transport === 'sse' ? 'HTTP+SSE (2024-11-05)' : 'Streamable HTTP'),
      row('Capabilities', Object.keys(r.capabilities ?? {}).join(', ') || 'none'),
    ];
    if (r.instructions) {
      children.push(h('div', { class: 'mcp-hint mcp-instructions' }, r.instructions));
    }
    this.info.replaceChildren(...children);
  }

  private renderLists(): void {
    this.listsEl.replaceChildren(
      ...LISTS.map(({ kind, title }) => {
        const items = this.lists[kind];
        const list = h('ul', { class: 'mcp-list', 'aria-label': title });
        for (const item of items ?? []) {
          const sel = this.selected?.kind === kind && this.selected.key === item.key;
          const b = h(
            'button',
            {
              type: 'button',
              class: `mcp-item${sel ? ' selected' : ''}`,
              'aria-pressed': sel ? 'true' : 'false',
              'data-kind': kind,
              title: item.key,
            },
            h('span', { class: 'mcp-item-name' }, item.title),
            item.description ? h('span', { class: 'mcp-item-desc' }, item.description) : null,
          );
          b.addEventListener('click', () => this.select({ kind, key: item.key }));
          list.append(h('li', null, b));
        }
        return h(
          'section',
          { class: 'mcp-section', 'data-kind': kind },
          h('h3', { class: 'mcp-heading' }, `${title} ${items ? `(${items.length})` : ''}`),
          items === undefined
            ? h('div', { class: 'mcp-muted' }, 'not listed')
            : items.length === 0
              ? h('div', { class: 'mcp-muted' }, 'none')
              : list,
        );
      }),
    );
  }

  private find(kind: ListKind, key: string): Item | undefined {
    return this.lists[kind]?.find((i) => i.key === key);
  }

  private select(which: { kind: ListKind; key: string } | undefined): void {
    this.selected = which;
    const item = which && this.find(which.kind, which.key);
    this.renderLists();
    if (!which || !item) {
      this.detail.replaceChildren(h('div', { class: 'mcp-muted' }, 'Select a tool, resource or prompt.'));
      return;
    }
    const spec = LISTS.find((l) => l.kind === which.kind)!;
    const form = which.kind === 'resources' ? undefined : new SchemaForm(item.schema, `mcp-f${this.nextFormId++}`);
    const problem = h('div', { class: 'mcp-problem', role: 'alert' });
    const out = h('div', { class: 'mcp-output' });
    const run = button({
      label: spec.verb,
      text: true,
      variant: 'primary',
      onClick: () => {
        const args = form ? form.read() : ({ ok: true, value: {} } as const);
        problem.textContent = args.ok ? '' : args.error;
        if (!args.ok) {
          return;
        }
        run.disabled = true;
        out.replaceChildren(h('div', { class: 'mcp-muted' }, `${spec.method} ${item.key}…`));
        void this.host.call(spec.method, item.key, args.value).then((reply) => {
          run.disabled = false;
          out.replaceChildren(reply.ok ? renderResult(reply.result) : renderFailure(reply.error ?? `${spec.method} failed`));
        });
      },
    });
    run.classList.add('mcp-run');
    this.detail.replaceChildren(h('h3', { class: 'mcp-detail-title' }, item.title));
    append(this.detail, [
      which.kind === 'resources' ? h('div', { class: 'mcp-hint' }, item.key) : null,
      item.description ? h('div', { class: 'mcp-hint' }, item.description) : null,
      form?.el,
      h('div', { class: 'mcp-actions' }, run),
      problem,
      out,
    ]);
  }
}
