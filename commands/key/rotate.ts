// `fdfs key rotate`: a new secret for a key; the old one stays valid until `fdfs key retire`.
import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { keyFlags, writeClientKey } from '../../src/cli/key-output.js';
import { rotateKey } from '../../src/cli/keys.js';

export default class KeyRotate extends BaseCommand {
  static override summary = 'Give a key a new secret; the previous one stays valid until "fdfs key retire".';
  static override description = 'Two secrets of a key are active at a time: deploy the new key file to its clients, then retire the old secret. Rotating again before that drops the oldest one.';
  static override examples = ['<%= config.bin %> key rotate app1 --keys-file /etc/fdfs/keys.conf --out app1.key'];
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ description: 'key id', required: true }) };
  static override flags = keyFlags;

  async run(): Promise<{ id: string; keysFile: string; keyFile: string | null }> {
    const { args, flags } = await this.parse(KeyRotate);
    const secret = rotateKey(flags['keys-file'], args.id);
    const keyFile = writeClientKey(args.id, secret, flags.out, (l) => this.log(l));
    return { id: args.id, keysFile: flags['keys-file'], keyFile };
  }
}
