/**
 * A contract rule's state as the check keeps it and the panel's Checks strip shows it. Types only, no
 * Node or DOM: the webview gets them through `src/protocol.ts`.
 */
export type RuleStatus = 'pending' | 'holding' | 'passed' | 'failed';

export interface RuleState {
  name: string;
  status: RuleStatus;
  /** Why, in words: "7 of min 10", "matched", "closed with 1006, expected 1000". */
  detail: string;
  /** When it settled (or last changed), ms after open. */
  atMs?: number;
  /** The record that decided it (the message that matched or broke it, the close, the error). */
  decidedBy?: number;
  /** The start of the data of the message that broke it, for reports. */
  evidence?: string;
}
