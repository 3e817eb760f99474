/**
 * The detail pane: three tabs (Message, Connection, and Raw stream for SSE) with keyboard navigation,
 * each tab its own component. The pane routes what the panel learns to the tab it concerns and turns
 * the host's raw feed on while the Raw stream tab shows. Everything a server sent is put in the DOM
 * through text nodes; JSON colouring uses spans whose content is set with textContent.
 */
import type { ConnRecord } from '../../src/protocol';
import { h, icon } from '../dom';
import { ConnectionTab, type ConnectionView } from './connectionTab';
import { MessageTab, type MessageTabHost } from './messageTab';
import type { DetailTab } from './parts';
import { RawTab, type RawTabHost } from './rawTab';
import { ResponseTab, type ResponseTabHost } from './responseTab';

export type { DetailTab } from './parts';

export interface DetailHost extends MessageTabHost, RawTabHost, ResponseTabHost {
  /** Turns the host's raw feed on or off. */
  setRaw(on: boolean): void;
}

const TAB_ORDER: readonly DetailTab[] = ['response', 'message', 'connection', 'raw'];

export class DetailPane {
  readonly el: HTMLElement;
  private readonly buttons: Record<DetailTab, HTMLButtonElement>;
  private readonly message: MessageTab;
  private readonly connection: ConnectionTab;
  private readonly raw: RawTab;
  /** A model's answer, joined from the log (shown once the stream is one). */
  readonly response: ResponseTab;
  private tab: DetailTab = 'message';
  private sseMode = false;

  constructor(private readonly host: DetailHost) {
    this.message = new MessageTab(host);
    this.connection = new ConnectionTab((text) => host.copy(text));
    this.raw = new RawTab(host);
    this.response = new ResponseTab(host);
    this.response.onDidFind = () => {
      this.buttons.response.hidden = false;
    };
    const tabButton = (id: DetailTab, label: string, iconName: string) => {
      const b = h(
        'button',
        { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, class: 'tab' },
        icon(iconName),
        h('span', null, label),
      );
      b.addEventListener('click', () => this.setTab(id));
      b.addEventListener('keydown', (e) => this.onTabKey(e));
      return b;
    };
    this.buttons = {
      message: tabButton('message', 'Message', 'symbol-string'),
      connection: tabButton('connection', 'Connection', 'plug'),
      raw: tabButton('raw', 'Raw stream', 'output'),
      response: tabButton('response', 'Response', 'sparkle'),
    };
    this.buttons.response.hidden = true;
    this.el = h(
      'aside',
      { class: 'detail', 'aria-label': 'Details' },
      h(
        'div',
        { class: 'tabs', role: 'tablist', 'aria-label': 'Detail views' },
        this.buttons.response,
        this.buttons.message,
        this.buttons.connection,
        this.buttons.raw,
      ),
      this.message.el,
      this.connection.el,
      this.raw.el,
      this.response.el,
    );
    this.setSseMode(false);
    this.setTab('message');
  }

  private panel(id: DetailTab): HTMLElement {
    return id === 'message' ? this.message.el : id === 'connection' ? this.connection.el : id === 'raw' ? this.raw.el : this.response.el;
  }

  /** Sent row `seq` was found to come from a saved message: its Message tab shows it. */
  originKnown(seq: number): void {
    this.message.refreshIf(seq);
  }

  setSseMode(on: boolean): void {
    this.sseMode = on;
    this.buttons.raw.hidden = !on;
    if (!on && this.tab === 'raw') {
      this.setTab('message');
    }
  }

  setTab(tab: DetailTab): void {
    const wasRaw = this.tab === 'raw';
    this.tab = tab;
    for (const id of TAB_ORDER) {
      const on = id === tab;
      this.buttons[id].setAttribute('aria-selected', String(on));
      this.buttons[id].tabIndex = on ? 0 : -1;
      this.buttons[id].classList.toggle('active', on);
      this.panel(id).hidden = !on;
    }
    if (tab === 'raw' && !wasRaw) {
      this.host.setRaw(true);
      this.raw.show();
    } else if (tab !== 'raw' && wasRaw) {
      this.host.setRaw(false);
      this.raw.hide();
    }
    if (tab === 'connection') {
      this.connection.render(this.sseMode);
    }
    if (tab === 'response') {
      this.response.show();
    } else {
      this.response.hide();
    }
  }

  /** The log's records changed: `reset` with every record, else the ones appended. */
  recordsAdded(records: readonly ConnRecord[], reset: boolean): void {
    if (reset) {
      this.response.reset(records);
      this.buttons.response.hidden = !this.response.hasResponse;
      if (this.buttons.response.hidden && this.tab === 'response') {
        this.setTab('message');
      }
    } else {
      this.response.append(records);
    }
  }

  /** After an `init` the host has stopped the raw feed: ask again when the raw view is showing. */
  resumeRaw(): void {
    if (this.tab === 'raw') {
      this.host.setRaw(true);
    }
  }

  private onTabKey(e: KeyboardEvent): void {
    const order = TAB_ORDER.filter((t) => !this.buttons[t].hidden);
    const i = order.indexOf(this.tab);
    let next: DetailTab | undefined;
    if (e.key === 'ArrowRight') {
      next = order[(i + 1) % order.length];
    } else if (e.key === 'ArrowLeft') {
      next = order[(i - 1 + order.length) % order.length];
    }
    if (next) {
      e.preventDefault();
      this.setTab(next);
      this.buttons[next].focus();
    }
  }

  /** Shows a record; `reveal` (a user's selection) also brings the Message tab forward. */
  showRecord(record: ConnRecord | undefined, reveal = true): void {
    if (this.message.show(record) && record && reveal && this.tab !== 'message') {
      this.setTab('message');
    }
  }

  setConnection(change: ConnectionView): void {
    this.connection.update(change);
    if (this.tab === 'connection') {
      this.connection.render(this.sseMode);
    }
  }

  appendRaw(text: string, reset: boolean): void {
    this.raw.append(text, reset);
  }
}
