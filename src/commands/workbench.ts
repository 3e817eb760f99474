/**
 * The workbench commands: Select Environment, Copy as (curl / wscat / websocat / JavaScript) on a
 * connection, and Paste as Connection (a curl, wscat or websocat command line read into a request,
 * connected, and offered to be saved as a profile with its credentials in secret storage).
 */
import * as vscode from 'vscode';
import { resolveKind } from '../core/options';
import { jsonStrings, mapJsonStrings } from '../core/jsonStrings';
import { resolveProfile } from '../core/resolve';
import { COPY_FORMATS, type CopyFormat, copyAs } from '../core/workbench/copyAs';
import { applyEnvironment } from '../core/workbench/environments';
import { looksLikeCommand, parseCommand } from '../core/workbench/pasteCommand';
import { pastedConfig } from '../workbench/pastedConfig';
import { type RequestSpec, withPlaceholders } from '../core/workbench/request';
import type { SessionConfig } from '../profiles/connectOptions';
import type { ResolveEnv } from '../core/resolve';
import { type SavedMessage, messageText } from '../core/workbench/savedMessages';
import { type RepeatOptions, repeatProblem } from '../core/workbench/periodic';
import type { Services } from '../services';
import type { Session } from '../session/session';
import type { ConnectionCommands } from './connection';
import { type SessionArg, pickSession } from './pickers';

function specOf(config: SessionConfig, kind: 'sse' | 'ws'): RequestSpec {
  return {
    url: config.url,
    kind,
    headers: { ...config.headers },
    ...(kind === 'sse' && config.method !== undefined ? { method: config.method } : {}),
    ...(kind === 'sse' && config.body !== undefined ? { body: config.body } : {}),
    ...(kind === 'ws' && config.protocols?.length ? { protocols: config.protocols } : {}),
    ...(config.tls?.insecure ? { insecure: true } : {}),
  };
}

export class WorkbenchCommands {
  constructor(
    private readonly services: Services,
    private readonly connection: ConnectionCommands,
  ) {}

  async selectEnvironmentCommand(name?: string): Promise<string | undefined> {
    if (typeof name === 'string') {
      if (!Object.hasOwn(this.services.environments.environments, name)) {
        throw new Error(`No environment named "${name}" in realtimeInspector.environments`);
      }
      await this.services.environments.select(name);
      return name;
    }
    return (await this.services.environments.pick())?.name;
  }

  /** The session's request as `format`, with secrets as placeholders unless `real`. Copied to the clipboard and returned. */
  async copyAsCommand(arg?: SessionArg, format?: CopyFormat, options?: { real?: boolean }): Promise<string | undefined> {
    const session = await pickSession(arg, 'Copy as', () => true, this.services);
    if (!session) {
      return undefined;
    }
    const { spec, masked } = await this.specs(session);
    if (!format) {
      const choice = await vscode.window.showQuickPick(
        COPY_FORMATS.filter((f) => f.kinds.includes(spec.kind)).map((f) => ({ label: f.label, format: f.format })),
        { title: `Copy ${session.label} as…` },
      );
      if (!choice) {
        return undefined;
      }
      format = choice.format;
    }
    let real = options?.real ?? false;
    if (options?.real === undefined && JSON.stringify(masked) !== JSON.stringify(spec)) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'With placeholders for secrets', real: false },
          { label: 'With the real values', description: 'the secrets in clear on the clipboard', real: true },
        ],
        { title: 'This request carries credentials' },
      );
      if (!pick) {
        return undefined;
      }
      real = pick.real;
    }
    const text = copyAs(format, real ? spec : masked);
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage(`Copied ${session.label} as ${COPY_FORMATS.find((f) => f.format === format)?.label}`, 3000);
    return text;
  }

  /**
   * Reads a pasted command (`text`, else one typed or pasted in a box, the clipboard's when it holds
   * one), connects to it, and offers to save it as a profile. Resolves with the session.
   */
  async pasteAsConnectionCommand(text?: string, options?: { offerSave?: boolean }): Promise<Session | undefined> {
    if (typeof text !== 'string') {
      const clip = await vscode.env.clipboard.readText();
      text = await vscode.window.showInputBox({
        title: 'Paste as Connection',
        prompt: 'A curl, wscat -c or websocat command line',
        value: looksLikeCommand(clip) ? clip : '',
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            parseCommand(v);
            return undefined;
          } catch (err) {
            return (err as Error).message;
          }
        },
      });
      if (text === undefined) {
        return undefined;
      }
    }
    const pasted = parseCommand(text);
    const session = await this.connection.connectConfig(pastedConfig(pasted), 'adhoc');
    if (pasted.ignored.length) {
      session.connection?.note(`Pasted ${pasted.tool} command: ${pasted.ignored.join(', ')} ignored`);
    }
    if (options?.offerSave !== false) {
      void this.offerSave(session);
    }
    return session;
  }

  /** "Save as Profile…" after a paste: the credentials typed in clear are offered a move into secret storage. */
  async offerSave(session: Session): Promise<void> {
    const pick = await vscode.window.showInformationMessage(`Connected to the pasted request. Save it as a profile?`, 'Save as Profile…');
    if (pick) {
      await this.services.actions.saveProfile(session);
    }
  }

  /** The request as it is sent (environment applied, secrets resolved), and with placeholders for its secrets. */
  private async specs(session: Session): Promise<{ spec: RequestSpec; masked: RequestSpec }> {
    const env = this.services.environments.current;
    const written = applyEnvironment(
      session.config,
      env.vars,
      env.name,
      session.config.name ? `Profile "${session.config.name}"` : 'The connection',
    );
    const resolved = await resolveProfile(written, {
      env: (name) => process.env[name],
      secret: (name) => this.services.secrets.get(name),
    });
    if (!resolved.ok) {
      throw new Error(resolved.error.message);
    }
    if (resolved.value.kind === 'mcp') {
      throw new Error('Copy as… writes an SSE or WebSocket request: an MCP session is many requests (use realtime-inspector mcp URL)');
    }
    const kind = resolveKind(resolved.value.url, resolved.value.kind ?? 'auto');
    const spec = specOf(resolved.value, kind);
    return { spec, masked: withPlaceholders(spec, specOf(written, kind)) };
  }
}

/**
 * A saved message ready to go out on `session`: `${env:}`/`${secret:}` read now; each call of the
 * function returned sends it once, with the environment and dynamic values resolved at that send.
 */
export async function prepareSavedMessage(session: Session, message: SavedMessage, env: ResolveEnv): Promise<() => void> {
  if (message.verb !== undefined) {
    return prepareVerbMessage(session, message, message.verb, env);
  }
  const format = message.format ?? 'text';
  const written = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
  const resolved = await resolveProfile({ url: '', body: written }, env);
  if (!resolved.ok) {
    throw new Error(`message "${message.name}": ${resolved.error.message}`);
  }
  const body = resolved.value.body ?? '';
  return () => session.sendWritten({ format, body }, message.name, written);
}

/**
 * A saved message of a protocol verb (`{ "verb": "emit", "fields": { "event": "chat", "args": […] } }`):
 * `${env:}`/`${secret:}` in its strings read now, sent through the connection's adapter (which checks
 * the fields as it checks the send box's), `{{…}}` resolved at each send.
 */
async function prepareVerbMessage(session: Session, message: SavedMessage, verb: string, env: ResolveEnv): Promise<() => void> {
  const view = session.adapterView();
  if (!view) {
    throw new Error(`"${message.name}" is a ${verb} message: it is sent through a protocol adapter, which this connection does not use`);
  }
  if (!view.verbs.some((v) => v.name === verb)) {
    throw new Error(`"${message.name}": ${view.name} has no "${verb}" send (it has ${view.verbs.map((v) => v.name).join(', ')})`);
  }
  const resolved = new Map<string, string>();
  for (const text of jsonStrings(message.fields ?? {})) {
    const r = await resolveProfile({ url: '', body: text }, env);
    if (!r.ok) {
      throw new Error(`message "${message.name}": ${r.error.message}`);
    }
    resolved.set(text, r.value.body ?? '');
  }
  const fields = mapJsonStrings(message.fields ?? {}, (v) => resolved.get(v) ?? v) as Record<string, unknown>;
  // The session resolves `{{…}}` at each send, as one send's.
  return () => session.sendAdapter({ verb, fields });
}

/** Send Saved Message… (Ctrl/Cmd+K in the panel): a quick pick of the profile's `messages`, sent once or repeated. */
export class SavedMessageCommands {
  constructor(private readonly services: Services) {}

  private get env(): ResolveEnv {
    return { env: (name) => process.env[name], secret: (name) => this.services.secrets.get(name) };
  }

  /**
   * `name` (else a pick) of the session's saved messages. `repeat`: `{ everyMs, times }` sends it on a
   * fixed schedule until stopped, the connection closes, or `times` are sent (without it, a pick asks).
   */
  async sendSavedCommand(arg?: SessionArg, name?: string, repeat?: RepeatOptions | false): Promise<string | undefined> {
    const session = await pickSession(arg, 'Send a saved message on', (s) => s.status.state === 'open', this.services);
    if (!session) {
      return undefined;
    }
    const messages = session.config.messages ?? [];
    if (!messages.length) {
      throw new Error(`${session.label} has no saved messages: add "messages" to its profile`);
    }
    let message = messages.find((m) => m.name === name);
    if (!message) {
      const pick = await vscode.window.showQuickPick(
        messages.map((m) => ({ label: m.name, description: m.verb ?? m.format ?? 'text', detail: messageText(m).slice(0, 200), m })),
        { title: `Send a saved message on ${session.label}`, matchOnDetail: true },
      );
      if (!pick) {
        return undefined;
      }
      message = pick.m;
      if (repeat === undefined) {
        repeat = await this.askRepeat();
        if (repeat === undefined) {
          return undefined;
        }
      }
    }
    const m = message;
    const send = await prepareSavedMessage(session, m, this.env);
    if (!repeat) {
      send();
      return m.name;
    }
    session.startRepeat(send, repeat, `saved message "${m.name}"`);
    return m.name;
  }

  /** Stops the session's repeat. */
  async stopRepeatCommand(arg?: SessionArg): Promise<void> {
    const session = await pickSession(arg, 'Stop the repeat of', (s) => !!s.repeat.value?.status.running, this.services);
    session?.stopRepeat();
  }

  private async askRepeat(): Promise<RepeatOptions | false | undefined> {
    const once = await vscode.window.showQuickPick(
      [
        { label: 'Send once', repeat: false },
        { label: 'Repeat…', description: 'every N ms, K times or until stopped', repeat: true },
      ],
      {
        title: 'Send',
      },
    );
    if (!once) {
      return undefined;
    }
    if (!once.repeat) {
      return false;
    }
    const text = await vscode.window.showInputBox({
      title: 'Repeat',
      prompt: 'Every N milliseconds, and optionally how many times: "1000" or "1000 x 10"',
      value: '1000',
      validateInput: (v) => (/^\s*\d+\s*(x\s*\d+\s*)?$/i.test(v) ? repeatProblem(parseRepeat(v)) : 'Write "1000" or "1000 x 10"'),
    });
    return text === undefined ? undefined : parseRepeat(text);
  }
}

function parseRepeat(text: string): RepeatOptions {
  const [every, times] = text.split(/x/i).map((s) => Number(s.trim()));
  return times === undefined || Number.isNaN(times) ? { everyMs: every } : { everyMs: every, times };
}
