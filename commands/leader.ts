// `fdfs leader`: the leader tracker's address.
import { FdfsCommand } from '../src/cli/base-command.js';
import { formatIpPort } from '../src/protocol/join.js';

export default class Leader extends FdfsCommand {
  static override summary = 'Print the address of the leader tracker.';
  static override examples = ['<%= config.bin %> leader --tracker 10.0.0.2:22122'];

  async run(): Promise<{ leader: string }> {
    const { flags } = await this.parse(Leader);
    const client = await this.clientFor(flags);
    const l = await client.getLeader();
    const leader = formatIpPort(l.ip, l.port);
    this.log(leader);
    return { leader };
  }
}
