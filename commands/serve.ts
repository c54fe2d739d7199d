// `fdfs serve`: flags to startServers() (src/cli/serve.ts), then run until SIGINT/SIGTERM.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { startServers, type Role } from '../src/cli/serve.js';
import { serveUntilSignal } from '../src/cli/serve-signals.js';
import { setRootLogger } from '../src/log.js';
import { LOG_FORMATS, serveLogger, type LogFormat } from '../src/cli/serve-log.js';

export default class Serve extends BaseCommand {
  protected override errorPrefix = 'fdfs serve';
  static override summary = 'Run fdfs servers: tracker, storage, or both in one process.';
  static override description = [
    'With no flags: the embedded default — tracker on 127.0.0.1:22122 and storage (group1) on 127.0.0.1:23000',
    'in one process, data in ./fdfs-data, HTTP entry on 8080 and gateway on 8888 (move them with --tracker-http-port /',
    '--storage-http-port, or --no-http). With --config: a stock FastDFS tracker.conf or storage.conf, read unchanged.',
    'Logs go to stderr: human lines on a terminal, JSON lines otherwise (--log-format).',
    'Prints "ready" on standard output once listening; stops cleanly on SIGINT/SIGTERM.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --role tracker --config /etc/fdfs/tracker.conf',
    '<%= config.bin %> serve --role storage --config /etc/fdfs/storage.conf',
    '<%= config.bin %> serve --data-dir /var/lib/fdfs --bind 0.0.0.0',
    { description: 'A second embedded server next to the first:', command: '<%= config.bin %> serve --data-dir fdfs-data2 --tracker-port 22123 --storage-port 23001 --tracker-http-port 8081 --storage-http-port 8889' },
    { description: 'No HTTP at all:', command: '<%= config.bin %> serve --no-http' },
  ];
  static override flags = {
    role: Flags.string({ char: 'r', summary: 'Which server(s) to run.', options: ['tracker', 'storage', 'all'], default: 'all' }),
    config: Flags.string({ char: 'c', summary: 'Stock tracker.conf or storage.conf: serves the role the file is for.' }),
    'tracker-config': Flags.string({ summary: 'tracker.conf for --role all.' }),
    'storage-config': Flags.string({ summary: 'storage.conf for --role all.' }),
    'data-dir': Flags.string({ summary: 'Data folder of the embedded default.', default: undefined }),
    bind: Flags.string({ summary: 'Address to listen on (overrides bind_addr).' }),
    'tracker-port': Flags.integer({ summary: 'Tracker port (overrides port in tracker.conf).', min: 1, max: 65535 }),
    'storage-port': Flags.integer({ summary: 'Storage port (overrides port in storage.conf).', min: 1, max: 65535 }),
    group: Flags.string({ char: 'g', summary: 'Storage group name (overrides group_name).' }),
    'log-level': Flags.string({ summary: 'Log level (stock names work too: notice, crit, …). Default: log_level of the conf file(s), else info.', env: 'FDFS_LOG_LEVEL' }),
    'tracker-http-port': Flags.integer({ summary: 'Port of the tracker\'s HTTP entry (overrides http.server_port; embedded default 8080); 0 = off.', min: 0, max: 65535, helpGroup: 'HTTP' }),
    'storage-http-port': Flags.integer({ summary: 'Port of the storage\'s HTTP gateway (overrides http.server_port; embedded default 8888); 0 = off.', min: 0, max: 65535, helpGroup: 'HTTP' }),
    'no-http': Flags.boolean({ summary: 'No HTTP entry nor gateway (except a port given with --tracker-http-port / --storage-http-port).', helpGroup: 'HTTP' }),
    'http-token-secret': Flags.string({ summary: 'Require anti-steal tokens on HTTP downloads, signed with this secret.', env: 'FDFS_HTTP_TOKEN_SECRET', helpGroup: 'HTTP' }),
    'http-token-ttl': Flags.integer({ summary: 'Seconds a download token stays valid (default 600).', min: 1, helpGroup: 'HTTP' }),
    'http-upload-secret': Flags.string({ summary: 'Accept POST /upload on the gateway with "Authorization: Bearer SECRET".', env: 'FDFS_HTTP_UPLOAD_SECRET', helpGroup: 'HTTP' }),
    'log-format': Flags.string({ summary: 'Log lines: pretty (for people), json (for machines), auto = pretty on a terminal, else json.', options: [...LOG_FORMATS], default: 'auto', env: 'FDFS_LOG_FORMAT' }),
    'log-file': Flags.string({ summary: 'Write JSON log lines to this file instead of stderr; "auto" = <base_path>/logs/trackerd.log or storaged.log, as stock FastDFS.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    // Until the confs are read (startServers then picks their log_level and the log file).
    const logFormat = flags['log-format'] as LogFormat;
    setRootLogger(serveLogger(logFormat, { level: flags['log-level'] ?? 'info' }));
    const servers = await startServers({
      role: flags.role as Role, config: flags.config, trackerConfig: flags['tracker-config'], storageConfig: flags['storage-config'],
      dataDir: flags['data-dir'], bind: flags.bind, trackerPort: flags['tracker-port'], storagePort: flags['storage-port'],
      group: flags.group, logLevel: flags['log-level'], logFile: flags['log-file'], logFormat,
      trackerHttpPort: flags['tracker-http-port'], storageHttpPort: flags['storage-http-port'], noHttp: flags['no-http'],
      httpTokenSecret: flags['http-token-secret'], httpTokenTtl: flags['http-token-ttl'], httpUploadSecret: flags['http-upload-secret'],
    });
    await serveUntilSignal(servers, () => {
      for (const line of servers.lines) this.log(line);
      this.log('ready');
    });
  }
}
