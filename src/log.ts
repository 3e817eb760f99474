import * as vscode from 'vscode';
import { Redactor } from './core/redactor';

/**
 * The extension's diagnostics: one `LogOutputChannel` ("Realtime Inspector"). Every line goes through
 * a redactor that knows every secret value resolved so far, so a token that reached a connection
 * never shows up here in clear, whatever the caller forgot to mask.
 */
export class Log implements vscode.Disposable {
  private channel: vscode.LogOutputChannel | undefined;
  private readonly secrets = new Set<string>();
  private redactor = new Redactor();

  /** Created on first use: activation stays cheap when nothing is logged. */
  get output(): vscode.LogOutputChannel {
    this.channel ??= vscode.window.createOutputChannel('Realtime Inspector', { log: true });
    return this.channel;
  }

  /** Values to mask from now on (resolved `${secret:…}` values). */
  addSecrets(values: Iterable<string>): void {
    let changed = false;
    for (const v of values) {
      if (v && !this.secrets.has(v)) {
        this.secrets.add(v);
        changed = true;
      }
    }
    if (changed) {
      this.redactor = new Redactor([...this.secrets]);
    }
  }

  /** Masks every known secret in `text`. */
  redact(text: string): string {
    return this.redactor.hasSecrets ? this.redactor.text(text) : text;
  }

  trace(message: string): void {
    this.output.trace(this.redact(message));
  }

  debug(message: string): void {
    this.output.debug(this.redact(message));
  }

  info(message: string): void {
    this.output.info(this.redact(message));
  }

  warn(message: string): void {
    this.output.warn(this.redact(message));
  }

  error(message: string | Error): void {
    const text = message instanceof Error ? message.message : message;
    this.output.error(this.redact(text));
  }

  show(): void {
    this.output.show(true);
  }

  dispose(): void {
    this.channel?.dispose();
    this.channel = undefined;
  }
}
