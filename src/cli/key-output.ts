// Flags and output shared by `fdfs key create` and `rotate`: where the keys file is, where the client's key goes.
import { Flags } from '@oclif/core';
import { clientKeyText, writeSecretFile } from './keys.js';

export const keysFileFlag = () => Flags.string({
  char: 'k', summary: 'The servers\' keys file (auth_keys_file). Default: $FDFS_KEYS_FILE.', env: 'FDFS_KEYS_FILE', required: true,
});

export const keyFlags = {
  'keys-file': keysFileFlag(),
  out: Flags.string({ char: 'o', summary: 'Write the client\'s key file here (mode 0600); default: print it.' }),
};

/** The client's key file at `out` (0600), or its line on stdout; returns the file written. */
export function writeClientKey(id: string, secret: string, out: string | undefined, log: (line: string) => void): string | null {
  if (!out) {
    log(clientKeyText(id, secret).trimEnd());
    return null;
  }
  writeSecretFile(out, clientKeyText(id, secret));
  log(`Key "${id}" written to ${out}; give it to the client (--key-file ${out}, or auth_key_file in client.conf).`);
  return out;
}
