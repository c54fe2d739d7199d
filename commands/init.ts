// `fdfs init`: flags (src/cli/init/flags.ts) to initCluster() (src/cli/init/run.ts), then where the files went.
import { BaseCommand } from '../src/cli/base-command.js';
import { answersFromFlags, initFlags } from '../src/cli/init/flags.js';
import { initCluster } from '../src/cli/init/run.js';

export default class Init extends BaseCommand {
  protected override errorPrefix = 'fdfs init';
  static override summary = 'Plan a cluster: write tracker/storage/client configs, systemd units and a README per host.';
  static override description = [
    'Asks for the trackers, the groups and their storages (address, store paths, HTTP port), the space to keep free,',
    'an optional download token secret, whether to turn on authentication, and where things live on the hosts, checking each answer as you type.',
    'At the end: write the files, go back (your answers become the defaults), or save the answers as YAML for --answers.',
    'Then writes one folder per host: stock-format tracker.conf / storage.conf / client.conf (every key with its',
    'comment; tracker-PORT.conf, storage-GROUP-PORT.conf when a host runs several), systemd units running',
    '`fdfs serve`, and a README with the start order and checks. An existing non-empty folder is kept unless --force.',
    '',
    'Without prompts: --yes with --tracker and --storage flags, or --answers FILE (JSON or YAML with the keys',
    'trackers, groups: {NAME: [HOST:PORT or {address, storePaths, httpPort}]}, baseDir, httpPort, trackerHttpPort,',
    'reservedStorageSpace, storeLookup, storeGroup, tokenSecret, tokenTtl, security, logLevel, bin, user, confDir, out).',
    'Flags override the file.',
  ].join('\n').split('\n\n').map((para) => para.replace(/\n/g, ' ')).join('\n\n');
  static override examples = [
    { description: 'Interactive:', command: '<%= config.bin %> init' },
    {
      description: 'One tracker, two groups of two storages, no questions:',
      command: '<%= config.bin %> init --yes --out cluster --tracker 10.0.0.1:22122 --storage group1=10.0.0.11:23000 --storage group1=10.0.0.12:23000 --storage group2=10.0.0.21:23000 --storage group2=10.0.0.22:23000',
    },
    { description: 'From an answers file:', command: '<%= config.bin %> init --answers cluster.yaml --out cluster --force' },
  ];
  static override flags = initFlags;

  async run(): Promise<void> {
    const { flags, metadata } = await this.parse(Init);
    const r = await initCluster({
      out: flags.out, outGiven: !metadata.flags.out?.setFromDefault, yes: flags.yes, answersFile: flags.answers, force: flags.force,
      fromFlags: answersFromFlags(flags),
    }, (line) => this.log(line));
    if (!r) return this.log('Nothing written.');
    if ('savedTo' in r) {
      this.log(`Nothing written yet. Your answers are in ${r.savedTo}; edit it if you like, then write the files with:`);
      r.rerun.forEach((cmd, i) => this.log(i ? `  or, the same with flags only:\n  ${cmd}` : `  ${cmd}`));
      return;
    }
    this.log(`Wrote ${r.files} files to ${r.out}: ${r.hosts.map((h) => `${h}/`).join(' ')}`);
    this.log(`Next: copy each host's folder to that host and follow its README.md (start order: trackers, then storages).`);
  }

  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (err.name === 'ExitPromptError' || err.name === 'AbortPromptError') {
      process.stderr.write('fdfs init: cancelled, nothing written\n');
      this.exit(130);
    }
    return super.catch(err);
  }
}
