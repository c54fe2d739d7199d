// Security on: every command a server answers has a rule, so a command added later cannot slip through unchecked.
import { describe, it, expect } from 'vitest';
import { STORAGE_RULES, TRACKER_RULES } from '../../../src/security/command-rules.js';
import { STORAGE_HANDLERS } from '../../../src/storage/dispatch.js';
import { CLIENT_HANDLERS } from '../../../src/tracker/client-service.js';
import { STORAGE_HANDLERS as TRACKER_STORAGE_HANDLERS } from '../../../src/tracker/storage-service.js';
import { PEER_HANDLERS } from '../../../src/tracker/peer-service.js';
import { TRUNK_HANDLERS } from '../../../src/tracker/trunk-server.js';

const codes = (table: object) => Object.keys(table).map(Number);

describe('security: command rules', () => {
  it('cover every command the storage dispatches', () => {
    const missing = codes(STORAGE_HANDLERS).filter((c) => STORAGE_RULES[c] === undefined);
    expect(missing).toEqual([]);
  });

  it('cover every command the tracker dispatches', () => {
    const all = [...codes(CLIENT_HANDLERS), ...codes(TRACKER_STORAGE_HANDLERS), ...codes(PEER_HANDLERS), ...codes(TRUNK_HANDLERS)];
    expect(all.filter((c) => TRACKER_RULES[c] === undefined)).toEqual([]);
  });
});
