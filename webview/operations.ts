/**
 * The GraphQL operations of the connection (a `graphql-ws` adapter): each subscribe the log shows,
 * with its state (running, complete, error), how many results came, and a Stop button while it runs
 * (the adapter's `stop` verb with the operation's id). Read from the log's records as they come, so it
 * shows what the log shows: operations the CLI or a profile started too. A new connection starts a new list.
 */
import type { AdapterView, ConnRecord } from '../src/protocol';
import { button, h, icon, setText } from './dom';
import { escapeControl } from './format/text';

export type OperationState = 'running' | 'complete' | 'error';

interface Operation {
  id: string;
  label: string;
  state: OperationState;
  results: number;
  row?: HTMLElement;
}

export interface OperationsHost {
  /** Sends the adapter's stop verb for `id`; resolves to an error in words, or undefined when sent. */
  stop(verb: string, id: string): Promise<string | undefined>;
}

const STATE_ICON: Record<OperationState, string> = { running: 'loading', complete: 'pass', error: 'error' };

export class OperationsList {
  readonly el: HTMLElement;
  private readonly list = h('ul', { class: 'operations-list', 'aria-label': 'GraphQL operations' });
  private readonly ops = new Map<string, Operation>();
  private stopVerb: string | undefined;
  private dirty = false;

  constructor(private readonly host: OperationsHost) {
    this.el = h(
      'section',
      { class: 'operations', 'aria-label': 'GraphQL operations', hidden: true },
      h('div', { class: 'operations-title' }, icon('symbol-event'), h('span', { class: 'section-title' }, 'Operations')),
      this.list,
    );
  }

  /** Shown for a GraphQL connection only; its stop verb is the adapter's `stop` (or `complete`). */
  setAdapter(adapter: AdapterView | undefined): void {
    const graphql = adapter?.name === 'graphql-ws';
    this.stopVerb = graphql ? adapter.verbs.find((v) => v.name === 'stop' || v.name === 'complete')?.name : undefined;
    this.el.dataset.on = String(graphql);
    this.render();
  }

  /** Everything again (an init's records). */
  replace(records: readonly ConnRecord[]): void {
    this.ops.clear();
    this.list.replaceChildren();
    this.add(records);
  }

  clear(): void {
    this.replace([]);
  }

  /** New records of the log, oldest first. */
  add(records: readonly ConnRecord[]): void {
    for (const r of records) {
      if (r.kind === 'connecting') {
        // A new connection: the server knows none of the old operations.
        this.ops.clear();
        this.list.replaceChildren();
        this.dirty = true;
        continue;
      }
      const d = r.kind === 'message' ? r.decoded : undefined;
      if (!d || d.protocol !== 'graphql-ws' || d.id === undefined) {
        continue;
      }
      const id = String(d.id);
      let op = this.ops.get(id);
      if ((d.type === 'subscribe' || d.type === 'start') && r.kind === 'message' && r.dir === 'out') {
        op = { id, label: typeof d.label === 'string' ? d.label : `#${id}`, state: 'running', results: 0, row: op?.row };
        this.ops.set(id, op);
      } else if (!op) {
        continue;
      } else if (d.type === 'next' || d.type === 'data') {
        op.results++;
      } else if (d.type === 'error') {
        op.state = 'error';
      } else if ((d.type === 'complete' || d.type === 'stop') && op.state === 'running') {
        op.state = 'complete';
      }
      this.dirty = true;
    }
    this.render();
  }

  private render(): void {
    const on = this.el.dataset.on === 'true';
    this.el.hidden = !on || this.ops.size === 0;
    if (!this.dirty || this.el.hidden) {
      return;
    }
    this.dirty = false;
    for (const op of this.ops.values()) {
      op.row ??= this.list.appendChild(h('li', { class: 'operation', 'data-id': op.id }));
      this.fill(op);
    }
  }

  private fill(op: Operation): void {
    const row = op.row!;
    row.className = `operation op-${op.state}`;
    const results = `${op.results} result${op.results === 1 ? '' : 's'}`;
    const stop =
      op.state === 'running' && this.stopVerb
        ? button({ label: `Stop ${op.label}`, icon: 'debug-stop', text: true, title: 'Stop this operation', onClick: () => this.stop(op) })
        : null;
    const state = h('span', { class: 'op-state' });
    setText(state, op.state);
    row.replaceChildren(
      icon(STATE_ICON[op.state]),
      h('span', { class: 'op-label' }, escapeControl(op.label)),
      state,
      h('span', { class: 'op-results muted' }, results),
      ...(stop ? [stop] : []),
    );
  }

  private stop(op: Operation): void {
    const verb = this.stopVerb;
    if (!verb) {
      return;
    }
    void this.host.stop(verb, op.id).then((error) => {
      if (error) {
        op.row?.setAttribute('title', `Not stopped: ${error}`);
      }
    });
  }
}
