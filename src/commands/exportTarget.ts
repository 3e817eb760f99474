import * as path from 'node:path';

/**
 * Where Export Log suggests writing: the folder the user exported to last (kept across windows), else
 * the workspace's first folder, else the home folder; the file named after the connection and the time
 * (`127.0.0.1_8080_sse-2026-01-02T03-04-05.ndjson`), safe in any file system.
 */
export function exportDefaultPath(
  label: string,
  folders: { remembered?: string; workspace?: string; home: string },
  now = new Date(),
): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const name =
    label
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+|_+$/g, '')
      .slice(0, 80) || 'log';
  return path.join(folders.remembered ?? folders.workspace ?? folders.home, `${name}-${stamp}.ndjson`);
}
