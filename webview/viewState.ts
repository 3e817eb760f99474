/**
 * What the webview keeps of its view: through `vscode.setState` (restored with the panel after a
 * reload) and, once the panel shows a connection, with the host (`viewState`: a panel closed and opened
 * again starts from it). Every read and write of that state goes through here.
 */
import type { FromWebviewMessage, WebviewPersistedState } from '../src/protocol';
import type { ColumnWidths } from './logColumns';
import type { FilterSpec } from './model';
import type { SendBoxState } from './sendbox';

/** The protocol's fields plus view preferences the host ignores. */
export interface PersistedState extends WebviewPersistedState {
  filterDirs?: FilterSpec['dirs'];
  /** Types unticked in the type filter. */
  filterHiddenTypes?: string[];
  filterHideControl?: boolean;
  /** "Hide keep-alive" (on unless the user turned it off). */
  filterHideKeepAlive?: boolean;
  /** "Only continuity findings". */
  filterFindingsOnly?: boolean;
  /** The request editor holds edits the host has not applied (`config` is them). */
  configEdited?: boolean;
  send?: SendBoxState;
  /** The selected record's seq. */
  selected?: number;
  /** The seq of the first row in view when the log does not follow the tail. */
  topSeq?: number;
  detailWidth?: number;
  columns?: ColumnWidths;
  /** The Checks strip shows its summary line only. */
  checksCollapsed?: boolean;
}

/** The part of VS Code's webview API that keeps state. */
export interface StateStore {
  getState(): unknown;
  setState(state: unknown): void;
}

/** Changes within this long are saved once. */
const SAVE_DELAY_MS = 200;

export class ViewState {
  /** The state the page was restored with, if any. */
  readonly restored: PersistedState | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  /** `collect` reads the view as it is now, when a save is due. */
  constructor(
    private readonly store: StateStore,
    private readonly post: (msg: FromWebviewMessage) => void,
    private readonly collect: () => PersistedState,
  ) {
    const saved = store.getState();
    this.restored = saved && typeof saved === 'object' ? (saved as PersistedState) : undefined;
  }

  /** Saves the view soon: changes in a burst (typing, dragging) are saved once. */
  saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      const state = this.collect();
      this.store.setState(state);
      if (state.connectionId) {
        // The host keeps it too: a panel closed and opened again starts from it.
        this.post({ type: 'viewState', state });
      }
    }, SAVE_DELAY_MS);
  }
}
