import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  decodeSlotHeader, encodeSlotHeader, isTrunkName, SLOT_HEADER_SIZE, SlotType, trunkContainerName, trunkSlotOf,
} from '../../../src/protocol/trunk-slot.js';
import { logicalOf, stockTrunk } from '../../helpers/trunk-fixture.js';

const head = readFileSync(path.resolve(import.meta.dirname, '../../fixtures/trunk', stockTrunk.head));

describe('trunk names and slot headers (§6.6, §11.5)', () => {
  it('rebuilds, from each live stock name, exactly the 24 header bytes stock wrote', () => {
    for (const f of stockTrunk.files.filter((x) => x.state === 'live')) {
      const ref = trunkSlotOf(logicalOf(f.id));
      const onDisk = head.subarray(ref.trunk.offset, ref.trunk.offset + SLOT_HEADER_SIZE);
      expect(encodeSlotHeader(ref.header).equals(onDisk)).toBe(true);
      expect(decodeSlotHeader(onDisk)).toEqual(ref.header);
      expect(ref.header.type).toBe(SlotType.Regular);
      expect(ref.header.fileSize).toBe(f.size);
      expect(ref.trunk.fileId).toBe(1);
      expect([ref.storePathIndex, ref.subHigh, ref.subLow]).toEqual([0, 0, 0]);
    }
  });

  it('tells trunk names from normal, slave and appender names', () => {
    const trunk = logicalOf(stockTrunk.files[0]!.id);
    expect(isTrunkName(trunk)).toBe(true);
    expect(isTrunkName('M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt')).toBe(false);
    expect(isTrunkName(trunk.slice(0, -4) + '_big.txt')).toBe(false);
    // 60 characters but the trunk bit clear: a slave of a normal file
    expect(isTrunkName('M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk0_a_long_slave_prefix.txt'.slice(0, 60))).toBe(false);
    expect(isTrunkName(trunk.replace(/^M00/, 'M0'))).toBe(false);
  });

  it('names trunk files with six digits', () => {
    expect(trunkContainerName(1)).toBe('000001');
    expect(trunkContainerName(123456)).toBe('123456');
    expect(trunkContainerName(1234567)).toBe('1234567');
  });
});
