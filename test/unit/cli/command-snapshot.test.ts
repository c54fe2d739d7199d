// The CLI's surface as a file (like salesforcecli's command-snapshot.json): every command's flags and
// arguments. A change here is a change for users and scripts; update it with `npx vitest run -u` on purpose.
import { describe, it, expect } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';

type Input = Record<string, Record<string, unknown>>;

function pick(def: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (def[k] !== undefined && def[k] !== false) out[k] = def[k];
  return out;
}

describe('command snapshot', () => {
  it('flags and arguments of every command are as recorded', async () => {
    const lines: string[] = [];
    for (const [id, cmd] of Object.entries(COMMANDS).sort(([a], [b]) => a.localeCompare(b))) {
      if (id === 'help') continue;
      lines.push(`${id.replace(/:/g, ' ')}${cmd.enableJsonFlag ? ' --json' : ''}${cmd.strict === false ? ' (variadic)' : ''}`);
      for (const [k, a] of Object.entries((cmd.args ?? {}) as Input)) lines.push(`  ${k.toUpperCase()} ${JSON.stringify(pick(a, ['required', 'default']))}`);
      const flags = { ...(cmd.baseFlags as Input | undefined), ...(cmd.flags as Input | undefined) };
      for (const k of Object.keys(flags).sort()) {
        lines.push(`  --${k} ${JSON.stringify(pick(flags[k]!, ['type', 'char', 'multiple', 'options', 'default', 'min', 'max', 'env', 'exclusive', 'dependsOn', 'required']))}`);
      }
    }
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('../../fixtures/command-snapshot.txt');
  });
});
