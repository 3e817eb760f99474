/** Why a file could not be read, in words for a message: `cannot read FILE: no such file`. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return e.code ?? String(e.message ?? err);
  }
}
