/** "permission denied" instead of "EACCES: permission denied, mkdir '/x'". */
import { errorMessage } from '../log/errorMessage';
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'it is on a read-only file system',
    ENOTDIR: 'part of its path is a file, not a folder',
    ENOSPC: 'the disk is full',
    EISDIR: 'a folder stands where a file should be',
  };
  return (code && known[code]) ?? errorMessage(error);
}
