// Descriptors kept open by path, least recently used closed first. Callers use a descriptor only within one
// synchronous step: one kept across an await could be closed (and its number reused) meanwhile.
import { closeSync } from 'node:fs';

export class FdCache {
  private readonly fds = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** The descriptor of `file`, opened with `open` when not held. */
  get(file: string, open: () => number): number {
    let fd = this.fds.get(file);
    if (fd !== undefined) {
      this.fds.delete(file);
      this.fds.set(file, fd);
      return fd;
    }
    fd = open();
    this.fds.set(file, fd);
    if (this.fds.size > this.limit) {
      const [oldest, oldFd] = this.fds.entries().next().value as [string, number];
      this.fds.delete(oldest);
      closeSync(oldFd);
    }
    return fd;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
