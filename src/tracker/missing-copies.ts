// Which members of a group said they lack a file they were asked for (201 REPORT_MISSING): fetch answers
// name another member meanwhile. Bounded (oldest dropped first) and forgotten after a while, in case the
// "holds again" report never comes (the member restarted, or nobody had the file).
const LIMIT = 10_000;
const TTL_MS = 10 * 60_000;

export class MissingCopies {
  /** name → member id → when the report expires (ms); insertion order = age. */
  private readonly map = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  note(logical: string, memberId: string, held: boolean): void {
    let members = this.map.get(logical);
    if (held) {
      members?.delete(memberId);
      if (members && !members.size) this.map.delete(logical);
      return;
    }
    if (!members) {
      members = new Map();
      this.map.set(logical, members);
      if (this.map.size > LIMIT) this.map.delete(this.map.keys().next().value!);
    }
    members.set(memberId, this.now() + TTL_MS);
  }

  lacks(logical: string, memberId: string): boolean {
    if (!this.map.size) return false;
    const until = this.map.get(logical)?.get(memberId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.note(logical, memberId, true);
    return false;
  }

  get size(): number {
    return this.map.size;
  }
}
