// The fault campaign (scripts/fault-campaign.ts) in its CI size: a real cluster through every fault, and the
// table it prints shows every fault with nothing lost and nothing corrupt.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers/proc.js';

const FAULTS = [
  'load only', 'kill -9 storage', 'SIGSTOP storage', 'kill -9 leader tracker', 'fuzz:', 'silent damage:', 'disk full', 'final check:',
];

function campaign(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/fault-campaign.ts'), ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    // SIGINT lets the script stop its cluster; SIGKILL if it does not end soon after.
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('fault campaign --quick', () => {
  it('runs every fault against a real cluster and loses or corrupts nothing acknowledged', async () => {
    const r = await campaign(['--quick'], 75_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| fault '))
      .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    for (const fault of FAULTS) {
      const row = rows.find((c) => c[0]!.startsWith(fault));
      expect(row, `no row for ${fault}:\n${r.stdout}`).toBeDefined();
      expect({ fault, lost: row![5], corrupt: row![6] }).toEqual({ fault, lost: '0', corrupt: '0' });
    }
    expect(rows).toHaveLength(FAULTS.length);
    expect(r.stdout).toMatch(/fuzz: [1-9]\d* frames into 4 ports/);
    expect(r.stdout).toMatch(/fdfs verify: 0 differences/);
    expect(r.stdout).toMatch(/^nothing lost: [1-9]\d* acknowledged files/m);
  }, 90_000);
});
