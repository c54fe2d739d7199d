// `fdfs key create`: a new key in a server keys file; its client key file goes to --out (or stdout).
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { keyFlags, writeClientKey } from '../../src/cli/key-output.js';
import { createKey } from '../../src/cli/keys.js';

export default class KeyCreate extends BaseCommand {
  static override summary = 'Add a key with its rights to a keys file (auth_keys_file) and write the client\'s key file.';
  static override description = 'RIGHTS is GROUP:OPERATION[,OPERATION…] joined by ";" — operations upload, download, delete, metadata, admin or all; * for every group. Servers read the keys file again when it changes. Copy the keys file to every server and the key file to the client (--key-file or client.conf auth_key_file).';
  static override examples = [
    '<%= config.bin %> key create app1 --rights "group1:upload,download" --keys-file /etc/fdfs/keys.conf --out app1.key',
    '<%= config.bin %> key create ops --rights "*:all" --keys-file /etc/fdfs/keys.conf',
  ];
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ description: 'key id (letters, digits, . _ -)', required: true }) };
  static override flags = {
    rights: Flags.string({ char: 'r', summary: 'What the key may do, e.g. "group1:upload,download;group2:download".', required: true }),
    ...keyFlags,
  };

  async run(): Promise<{ id: string; keysFile: string; keyFile: string | null }> {
    const { args, flags } = await this.parse(KeyCreate);
    const secret = createKey(flags['keys-file'], args.id, flags.rights);
    const keyFile = writeClientKey(args.id, secret, flags.out, (l) => this.log(l));
    return { id: args.id, keysFile: flags['keys-file'], keyFile };
  }
}
