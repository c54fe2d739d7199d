// `fdfs key list`: the keys of a keys file with their rights (never their secrets).
import { BaseCommand } from '../../src/cli/base-command.js';
import { keysFileFlag } from '../../src/cli/key-output.js';
import { listKeys, type KeyInfo } from '../../src/cli/keys.js';

export default class KeyList extends BaseCommand {
  static override summary = 'List the keys of a keys file: id, rights, and whether a rotation is under way.';
  static override examples = ['<%= config.bin %> key list --keys-file /etc/fdfs/keys.conf'];
  static override enableJsonFlag = true;
  static override flags = { 'keys-file': keysFileFlag() };

  async run(): Promise<{ keys: KeyInfo[] }> {
    const { flags } = await this.parse(KeyList);
    const keys = listKeys(flags['keys-file']);
    for (const k of keys) this.log(`${k.id}\t${k.rights}${k.activeSecrets > 1 ? '\t(rotating: previous secret still valid)' : ''}`);
    return { keys };
  }
}
