// activate() of the production dist/extension.js under a stand-in `vscode` module (a require hook):
// every API is a no-op proxy, so what is timed is the extension's own work at activation (building
// its services, registering commands, views and the panel serializer), not VS Code's.
// Prints one line of JSON: {requireMs, activateMs, reportedMs}.
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

function stub(name) {
  const fn = function () {};
  const values = new Map();
  return new Proxy(fn, {
    set(_target, prop, value) {
      values.set(prop, value);
      return true;
    },
    get(target, prop) {
      if (values.has(prop)) {
        return values.get(prop);
      }
      if (prop === Symbol.toPrimitive) {
        return () => '';
      }
      if (prop === Symbol.iterator) {
        return function* () {};
      }
      if (prop === 'then') {
        return undefined;
      }
      if (!(prop in target) || prop === 'prototype') {
        target[prop] = prop === 'prototype' ? {} : stub(`${name}.${String(prop)}`);
      }
      return target[prop];
    },
    apply() {
      return stub(`${name}()`);
    },
    construct() {
      return stub(`new ${name}`);
    },
  });
}

// A plain object (the bundle copies the module's own keys), each API a proxy.
const API = [
  'window',
  'workspace',
  'commands',
  'env',
  'languages',
  'extensions',
  'debug',
  'tasks',
  'authentication',
  'l10n',
  'Uri',
  'EventEmitter',
  'Disposable',
  'TreeItem',
  'TreeItemCollapsibleState',
  'ThemeIcon',
  'ThemeColor',
  'MarkdownString',
  'StatusBarAlignment',
  'ViewColumn',
  'ConfigurationTarget',
  'QuickPickItemKind',
  'Range',
  'Position',
  'Selection',
  'TextEditorRevealType',
  'CancellationTokenSource',
  'ProgressLocation',
  'LogLevel',
  'RelativePattern',
  'FileType',
];
const vscode = Object.fromEntries(API.map((k) => [k, stub(`vscode.${k}`)]));
const load = Module._load;
Module._load = function (request, parent, isMain) {
  return request === 'vscode' ? vscode : load.call(this, request, parent, isMain);
};

const memento = () => {
  const m = new Map();
  return {
    get: (k, d) => (m.has(k) ? m.get(k) : d),
    update: async (k, v) => void m.set(k, v),
    keys: () => [...m.keys()],
    setKeysForSync() {},
  };
};
const context = {
  subscriptions: [],
  extensionUri: vscode.Uri.file('/ext'),
  extensionPath: '/ext',
  globalState: memento(),
  workspaceState: memento(),
  secrets: {
    get: async () => undefined,
    store: async () => undefined,
    delete: async () => undefined,
    onDidChange: () => ({ dispose() {} }),
  },
  storageUri: undefined,
  globalStorageUri: vscode.Uri.file('/tmp/ri-bench'),
  logUri: vscode.Uri.file('/tmp/ri-bench'),
  extensionMode: 1,
  environmentVariableCollection: {},
  asAbsolutePath: (p) => join('/ext', p),
};

let t = performance.now();
const ext = require(join(process.env.BENCH_DIST ?? join(import.meta.dirname, '..', 'dist'), 'extension.js'));
const requireMs = performance.now() - t;
t = performance.now();
const api = ext.activate(context);
const activateMs = performance.now() - t;
process.stdout.write(JSON.stringify({ requireMs, activateMs, reportedMs: api?.activationMs }) + '\n');
process.exit(0);
