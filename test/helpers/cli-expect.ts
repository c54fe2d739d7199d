// Assertions on finished `fdfs` runs shared by the per-command CLI tests: how a refusal must look.
import { expect } from 'vitest';
import type { CliResult } from './proc.js';

/** A file ID that decodes (normal file, 13845 bytes, from 192.168.5.72); no server needs to hold it. */
export const SAMPLE_ID = 'group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg';
/** An appender file ID, for the commands that only take those. */
export const APPENDER_ID = 'group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log';
/** Nothing listens on port 1: a command that got past its argument checks fails there with exit 4. */
export const NOWHERE = ['--tracker', '127.0.0.1:1'];

/** Refused with one plain line on stderr (no stack trace, nothing on stdout) and this exit code. */
export function expectPlainFailure(r: CliResult, exit: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(exit);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

/** Refused by oclif's argument parser: exit 2, its error box naming the problem, no stack trace. */
export function expectParseError(r: CliResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/Error: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/**
 * The unreachable-tracker answer every client command gives (exit 4), plain or as a --json error object.
 * `role` is what the message calls NOWHERE: the admin deletes, which go to every tracker, say 'server'.
 */
export function expectUnreachable(r: CliResult, json = false, role: 'tracker' | 'server' = 'tracker'): void {
  expect(r.code, r.stderr).toBe(4);
  if (!json) return expectPlainFailure(r, 4, new RegExp(`^fdfs: cannot reach ${role} 127\\.0\\.0\\.1:1 \\(connection refused\\)`));
  expect(r.stderr).toBe('');
  const e = JSON.parse(r.stdout) as { error: { code: string; message: string } };
  expect(e.error.code).toBe('FDFS_ERR_CONNECT');
  expect(e.error.message).toMatch(new RegExp(`^cannot reach ${role} 127\\.0\\.0\\.1:1`));
}
