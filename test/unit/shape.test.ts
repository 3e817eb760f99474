/**
 * The shape of the code, as ARCHITECTURE.md states it: what may import what, no import cycles, and no
 * source file over 400 lines without the reason written at its top.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = resolve(__dirname, '..', '..', '..');
const LONG_FILE_LINES = 400;

interface SourceFile {
  /** Path from the repository's root, with `/`. */
  path: string;
  text: string;
  /** Relative imports that load code at run time (`import type` and `type`-only names left out). */
  valueImports: string[];
  /** Every relative import, type-only ones included. */
  allImports: string[];
}

function sourceFiles(dir: string, pattern = /\.ts$/): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      return e.name === 'node_modules' ? [] : sourceFiles(path, pattern);
    }
    return pattern.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /^(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s+'([^']+)'|^import\s+'([^']+)'/gm;

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) {
    return undefined;
  }
  const base = relative(root, resolve(root, dirname(from), spec))
    .split('\\')
    .join('/');
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (candidate.endsWith('.ts') && files.has(candidate)) {
      return candidate;
    }
  }
  return base.endsWith('.css') || base.endsWith('.json') ? undefined : `${base} (not found)`;
}

/** `{ type A, type B }`: every imported name is a type, so nothing is loaded at run time. */
function namesAreTypes(clause: string): boolean {
  const braces = /^\{([^}]*)\}$/s.exec(clause.trim());
  const names =
    braces?.[1]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean) ?? [];
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

function read(path: string): SourceFile {
  const text = readFileSync(join(root, path), 'utf8');
  const valueImports: string[] = [];
  const allImports: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    const target = resolveImport(path, spec);
    if (!target) {
      continue;
    }
    allImports.push(target);
    const typeOnly = m[1] !== undefined || namesAreTypes(m[2] ?? '');
    if (!typeOnly) {
      valueImports.push(target);
    }
  }
  return { path, text, valueImports, allImports };
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

const paths = [...sourceFiles('src'), ...sourceFiles('webview')];
const files = new Set(paths);
const sources = paths.map(read);

describe('the shape of the code', () => {
  it('every relative import names a file that exists', () => {
    const missing = sources.flatMap((s) => s.allImports.filter((t) => t.endsWith('(not found)')).map((t) => `${s.path} → ${t}`));
    assert.deepEqual(missing, []);
  });

  it('src/core imports nothing from outside src/core', () => {
    const outside = sources
      .filter((s) => s.path.startsWith('src/core/'))
      .flatMap((s) => s.allImports.filter((t) => !t.startsWith('src/core/')).map((t) => `${s.path} → ${t}`));
    assert.deepEqual(outside, []);
  });

  it('the webview imports from src/ only the protocol and the DOM- and Node-free core modules', () => {
    const allowed = new Set([
      'src/protocol.ts',
      'src/core/batchFormat.ts',
      'src/core/unsafeText.ts',
      'src/core/payloadText.ts',
      'src/core/decodedLabel.ts',
      'src/core/derivedText.ts',
      // The LLM lens: the Response tab joins a response from the log's records as the connection does.
      ...paths.filter((p) => p.startsWith('src/core/llm/')),
      'src/core/mcp/describe.ts',
    ]);
    const bad = sources
      .filter((s) => s.path.startsWith('webview/'))
      .flatMap((s) => s.allImports.filter((t) => t.startsWith('src/') && !allowed.has(t)).map((t) => `${s.path} → ${t}`));
    assert.deepEqual(bad, []);
    for (const shared of allowed) {
      if (shared === 'src/protocol.ts') {
        continue;
      }
      const s = sources.find((x) => x.path === shared)!;
      assert.deepEqual(
        s.valueImports.filter((t) => !allowed.has(t)),
        [],
        `${shared} loads no module outside this list (types only), so the webview gets no more than it`,
      );
      assert.doesNotMatch(withoutComments(s.text), /\b(Buffer|require|process|document|window)\b[.(]/, `${shared} uses no Node or DOM API`);
    }
  });

  it('no import cycle among modules that load each other at run time', () => {
    const graph = new Map(sources.map((s) => [s.path, s.valueImports]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'visiting');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'visiting') {
          cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        } else if (!state.has(next)) {
          visit(next);
        }
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) {
      if (!state.has(node)) {
        visit(node);
      }
    }
    assert.deepEqual(cycles, []);
  });

  it(`a source file over ${LONG_FILE_LINES} lines says at its top why`, () => {
    const checked = [
      ...sources,
      ...[...sourceFiles('test'), ...sourceFiles('bench', /\.(ts|mjs)$/), ...sourceFiles('scripts', /\.mjs$/)].map((path) => ({
        path,
        text: readFileSync(join(root, path), 'utf8'),
      })),
    ];
    const long = checked
      .filter((s) => s.text.split('\n').length > LONG_FILE_LINES + 1)
      .filter((s) => !/^\/\/ Over \d+ lines: \S/.test(s.text))
      .map((s) => `${s.path} (${s.text.split('\n').length} lines)`);
    assert.deepEqual(long, []);
  });
});
