// src/cli/init/replay.ts: a plan back into an answers file (YAML) that plans the same again, and the
// `fdfs init --yes` command when flags can say it all.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAnswersFile, planFromAnswers } from '../../../../src/cli/init/answers.js';
import { answersFromPlan, saveAnswers, yesCommand } from '../../../../src/cli/init/replay.js';

const plain = planFromAnswers({ trackers: ['10.0.0.1'], storages: ['group1=10.0.0.11', 'group1=10.0.0.12', 'group2=10.0.0.21:23001'] });
const custom = planFromAnswers({
  trackers: ['10.0.0.1', '10.0.0.2:22123'], trackerHttpPort: 0, baseDir: '/srv/fdfs', reservedStorageSpace: '4GB', storeLookup: 'group',
  storeGroup: 'photos', tokenSecret: 's3cret', tokenTtl: 900, logLevel: 'debug', user: 'files',
  groups: { photos: [{ address: '10.0.0.11:23000', storePaths: ['/disk1', '/disk2'], httpPort: 8890 }, '10.0.0.12'] },
});

describe('answers from a plan', () => {
  it('plan the same plan again, through the YAML file too', async () => {
    for (const plan of [plain, custom]) {
      expect(planFromAnswers(answersFromPlan(plan, '/tmp/out'))).toEqual(plan);
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fdfs-replay-')), 'answers.yaml');
      await saveAnswers(file, plan, '/tmp/out');
      expect(readFileSync(file, 'utf8')).toMatch(/^# fdfs init answers: edit, then run {2}fdfs init --answers /);
      expect(planFromAnswers(await loadAnswersFile(file))).toEqual(plan);
      expect((await loadAnswersFile(file)).out).toBe('/tmp/out');
      // The token secret stays with its owner.
      expect(statSync(file).mode & 0o777).toBe(plan.tokenSecret ? 0o600 : 0o644);
    }
  });

  it('the --yes command gives the same plan; none when only a file can (store paths, a port per storage, a token ttl)', () => {
    expect(yesCommand(plain, '/tmp/out')).toBe('fdfs init --yes --out /tmp/out --tracker 10.0.0.1:22122 --storage group1=10.0.0.11:23000 '
      + '--storage group1=10.0.0.12:23000 --storage group2=10.0.0.21:23001');
    expect(yesCommand(custom, '/tmp/out')).toBeNull();
    const flagged = planFromAnswers({ trackers: ['10.0.0.1'], storages: ['g1=10.0.0.11'], httpPort: 9000, reservedStorageSpace: '5%', tokenSecret: 'k', user: 'svc' });
    expect(yesCommand(flagged, '/o')).toBe('fdfs init --yes --out /o --tracker 10.0.0.1:22122 --storage g1=10.0.0.11:23000 --http-port 9000 '
      + '--reserved 5% --token-secret k --user svc');
  });
});
