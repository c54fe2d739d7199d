// What a key may do: groups × operations, written "group1:upload,download;*:admin" in a keys file.
import { ConfigError } from '../errors.js';

export const OPERATIONS = ['upload', 'download', 'delete', 'metadata', 'admin'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Per group (or '*'), the operations granted. */
export class Rights {
  private constructor(private readonly grants: ReadonlyMap<string, ReadonlySet<Operation>>) {}

  /** "group:op,op;group:op" ('*' = every group, 'all' = every operation). */
  static parse(text: string, where = 'rights'): Rights {
    const grants = new Map<string, Set<Operation>>();
    for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
      const colon = part.indexOf(':');
      if (colon <= 0) throw new ConfigError(`${where}: "${part}" is not GROUP:OPERATION[,OPERATION…] (e.g. group1:upload,download)`);
      const group = part.slice(0, colon).trim();
      if (group !== '*' && !/^[A-Za-z0-9]{1,16}$/.test(group)) throw new ConfigError(`${where}: "${group}" is not a group name (1-16 letters or digits) nor *`);
      const ops = grants.get(group) ?? new Set<Operation>();
      for (const op of part.slice(colon + 1).split(',').map((o) => o.trim()).filter(Boolean)) {
        if (op === 'all') OPERATIONS.forEach((o) => ops.add(o));
        else if ((OPERATIONS as readonly string[]).includes(op)) ops.add(op as Operation);
        else throw new ConfigError(`${where}: unknown operation "${op}" (use ${OPERATIONS.join(', ')} or all)`);
      }
      grants.set(group, ops);
    }
    if (grants.size === 0) throw new ConfigError(`${where}: no rights given (e.g. group1:upload,download or *:all)`);
    return new Rights(grants);
  }

  /** May `op` be done in `group`; a null group: in at least one group (the tracker, which hands out addresses). */
  allows(group: string | null, op: Operation): boolean {
    if (group === null) {
      for (const ops of this.grants.values()) if (ops.has(op)) return true;
      return false;
    }
    return (this.grants.get(group)?.has(op) ?? false) || (this.grants.get('*')?.has(op) ?? false);
  }

  toString(): string {
    return [...this.grants].map(([g, ops]) => `${g}:${[...ops].join(',')}`).join(';');
  }
}
