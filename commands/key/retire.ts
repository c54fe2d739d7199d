// `fdfs key retire`: end a rotation (only the newest secret stays valid), or --remove the key.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { keysFileFlag } from '../../src/cli/key-output.js';
import { retireKey } from '../../src/cli/keys.js';

export default class KeyRetire extends BaseCommand {
  static override summary = 'End a key\'s rotation: its previous secret stops working; --remove deletes the key.';
  static override examples = [
    '<%= config.bin %> key retire app1 --keys-file /etc/fdfs/keys.conf',
    '<%= config.bin %> key retire app1 --remove --keys-file /etc/fdfs/keys.conf',
  ];
  static override args = { id: Args.string({ description: 'key id', required: true }) };
  static override flags = {
    'keys-file': keysFileFlag(),
    remove: Flags.boolean({ summary: 'Delete the key: no secret of it works any more.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeyRetire);
    retireKey(flags['keys-file'], args.id, flags.remove);
    this.log(flags.remove ? `Removed key "${args.id}".` : `Key "${args.id}": only its newest secret is valid now.`);
  }
}
