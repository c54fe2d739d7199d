// `fdfs token`: an HTTP download URL with an anti-steal token (src/cli/http-token.ts).
import { Flags } from '@oclif/core';
import { FdfsCommand } from '../src/cli/base-command.js';
import { sharedArgs } from '../src/cli/flags.js';
import { makeTokenUrl, type TokenResult } from '../src/cli/http-token.js';

export default class Token extends FdfsCommand {
  static override summary = 'Print an HTTP download URL with an anti-steal token (http.anti_steal.*).';
  static override description = 'The token is md5(name without group + secret + ts), as fastdfs-nginx-module checks it; the gateway accepts it until ts + its token_ttl. Without --base the URL is a path to append to http://storage:port.';
  static override examples = [
    '<%= config.bin %> token group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg --secret FastDFS1234567890',
    '<%= config.bin %> token group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg --secret S --base http://10.0.0.5:8888 --filename photo.jpg',
  ];
  static override args = { fileId: sharedArgs.fileId() };
  static override flags = {
    secret: Flags.string({ char: 's', summary: 'http.anti_steal.secret_key (default: $FDFS_HTTP_SECRET, then --config client.conf).' }),
    ttl: Flags.integer({ summary: 'The gateway\'s http.anti_steal.token_ttl in seconds, for the expiry shown (default: client.conf, then 600).', min: 1 }),
    ts: Flags.integer({ summary: 'Token timestamp (Unix seconds; default now; 0 = never expires).', min: 0 }),
    base: Flags.string({ char: 'b', summary: 'Gateway or tracker entry, e.g. http://10.0.0.5:8888: prints a full URL.' }),
    filename: Flags.string({ summary: 'Download name (Content-Disposition).' }),
    hmac: Flags.boolean({ summary: 'The fdfs HMAC-SHA256 token (sig, exp; http.token.hmac_secret, default $FDFS_HTTP_HMAC_SECRET) instead of the MD5 one.', exclusive: ['ts', 'ttl'] }),
    'expires-in': Flags.integer({ summary: 'With --hmac: seconds until the URL expires (default 3600).', min: 1, dependsOn: ['hmac'] }),
  };

  async run(): Promise<TokenResult> {
    const { args, flags } = await this.parse(Token);
    const r = makeTokenUrl({ fileId: args.fileId, secret: flags.secret, config: flags.config, ttl: flags.ttl, ts: flags.ts,
      base: flags.base, filename: flags.filename, hmac: flags.hmac, expiresIn: flags['expires-in'] });
    this.log(r.url);
    return r;
  }
}
