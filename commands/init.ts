import path from 'node:path';
import { Command, Flags } from '@oclif/core';
import { describeFailure } from '../src/cli/exit-codes.js';
import { UsageError } from '../src/errors.js';
import { LOG_LEVELS } from '../src/config/common-fields.js';
import { PLAN_DEFAULTS } from '../src/cli/init/plan.js';
import { loadAnswersFile, mergeAnswers, planFromAnswers, type RawAnswers } from '../src/cli/init/answers.js';
import { checkOutput, renderPlan, writePlan } from '../src/cli/init/render.js';

export default class Init extends Command {
  static override summary = 'Plan a cluster: write tracker/storage/client configs, systemd units and a README per host.';
  static override description = [
    'Asks for the trackers, the groups and their storages (address, store paths, HTTP port), the space to keep free,',
    'an optional download token secret and where things live on the hosts, checking each answer as you type.',
    'Then writes one folder per host: stock-format tracker.conf / storage.conf / client.conf (every key with its',
    'comment; tracker-PORT.conf, storage-GROUP-PORT.conf when a host runs several), systemd units running',
    '`fdfs serve`, and a README with the start order and checks. An existing non-empty folder is kept unless --force.',
    '',
    'Without prompts: --yes with --tracker and --storage flags, or --answers FILE (JSON or YAML with the keys',
    'trackers, groups: {NAME: [HOST:PORT or {address, storePaths, httpPort}]}, baseDir, httpPort, trackerHttpPort,',
    'reservedStorageSpace, storeLookup, storeGroup, tokenSecret, tokenTtl, logLevel, bin, user, confDir, out).',
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
  static override flags = {
    out: Flags.string({ char: 'o', summary: 'Folder to write (one sub-folder per host).', default: './fdfs-cluster' }),
    yes: Flags.boolean({ char: 'y', summary: 'No questions: take everything from flags, --answers and defaults.' }),
    answers: Flags.string({ char: 'a', summary: 'JSON or YAML answers file (implies --yes).' }),
    force: Flags.boolean({ char: 'f', summary: 'Write into a non-empty folder, overwriting files.' }),
    tracker: Flags.string({ char: 't', summary: 'Tracker HOST:PORT (repeatable).', multiple: true, helpGroup: 'CLUSTER' }),
    storage: Flags.string({ char: 's', summary: 'Storage GROUP=HOST:PORT (repeatable).', multiple: true, helpGroup: 'CLUSTER' }),
    'base-dir': Flags.string({ summary: `Data folder on the hosts. Default: ${PLAN_DEFAULTS.baseDir}`, helpGroup: 'CLUSTER' }),
    'http-port': Flags.integer({ summary: `HTTP download port of the storages (the next free one when a host runs several). Default: ${PLAN_DEFAULTS.httpPort}`, min: 1, max: 65535, helpGroup: 'CLUSTER' }),
    'tracker-http-port': Flags.integer({ summary: `HTTP port of the trackers (redirects downloads to a storage, serves /metrics); 0 = off. Default: ${PLAN_DEFAULTS.trackerHttpPort}`, min: 0, max: 65535, helpGroup: 'CLUSTER' }),
    reserved: Flags.string({ summary: `Space kept free on every storage: 10% or 4GB. Default: ${PLAN_DEFAULTS.reservedStorageSpace}`, helpGroup: 'CLUSTER' }),
    'store-lookup': Flags.string({ summary: 'Where uploads go. Default: load-balance', options: ['load-balance', 'round-robin', 'group'], helpGroup: 'CLUSTER' }),
    'store-group': Flags.string({ summary: 'The group for --store-lookup group.', helpGroup: 'CLUSTER' }),
    'token-secret': Flags.string({ summary: 'Require anti-steal tokens on HTTP downloads, with this secret.', helpGroup: 'CLUSTER' }),
    'log-level': Flags.string({ summary: 'log_level of the servers. Default: info', options: [...LOG_LEVELS], helpGroup: 'CLUSTER' }),
    bin: Flags.string({ summary: `fdfs executable on the hosts. Default: ${PLAN_DEFAULTS.bin}`, helpGroup: 'HOSTS' }),
    user: Flags.string({ summary: `Unix user of the services. Default: ${PLAN_DEFAULTS.user}`, helpGroup: 'HOSTS' }),
    'conf-dir': Flags.string({ summary: `Folder of the conf files on the hosts. Default: ${PLAN_DEFAULTS.confDir}`, helpGroup: 'HOSTS' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    const fromFlags: RawAnswers = {
      trackers: flags.tracker,
      storages: flags.storage,
      baseDir: flags['base-dir'],
      httpPort: flags['http-port'],
      trackerHttpPort: flags['tracker-http-port'],
      reservedStorageSpace: flags.reserved,
      storeLookup: flags['store-lookup'] as RawAnswers['storeLookup'],
      storeGroup: flags['store-group'],
      tokenSecret: flags['token-secret'],
      logLevel: flags['log-level'] as RawAnswers['logLevel'],
      bin: flags.bin,
      user: flags.user,
      confDir: flags['conf-dir'],
    };
    const outFlagGiven = this.argv.some((a) => a === '--out' || a === '-o' || a.startsWith('--out=') || /^-o./.test(a));
    let out = flags.out;
    let plan;
    if (flags.yes || flags.answers) {
      const file = flags.answers ? await loadAnswersFile(flags.answers) : {};
      if (file.out && !outFlagGiven) out = path.resolve(path.dirname(flags.answers!), file.out);
      plan = planFromAnswers(mergeAnswers(file, fromFlags));
    } else {
      if (!process.stdin.isTTY) {
        throw new UsageError('no terminal to ask questions on: pass --yes with --tracker HOST:PORT and --storage GROUP=HOST:PORT, or --answers FILE');
      }
      const { runWizard } = await import('../src/cli/init/wizard.js');
      const result = await runWizard({
        out,
        httpPort: flags['http-port'] ?? PLAN_DEFAULTS.httpPort,
        checkOut: async (dir) => {
          try {
            await checkOutput(dir, flags.force);
            return true;
          } catch (err) {
            return (err as Error).message;
          }
        },
      }, (line) => this.log(line));
      if (!result) {
        this.log('Nothing written.');
        return;
      }
      out = result.out;
      plan = result.plan;
    }
    const files = renderPlan(plan);
    await writePlan(out, files, flags.force);
    const hosts = [...new Set(files.map((f) => f.path.split('/')).filter((p) => p.length > 1).map((p) => p[0]!))];
    this.log(`Wrote ${files.length} files to ${out}: ${hosts.map((h) => `${h}/`).join(' ')}`);
    this.log(`Next: copy each host's folder to that host and follow its README.md (start order: trackers, then storages).`);
  }

  protected override async catch(err: Error & { oclif?: { exit?: number }; name: string }): Promise<unknown> {
    if (err.oclif) return super.catch(err);
    if (err.name === 'ExitPromptError' || err.name === 'AbortPromptError') {
      process.stderr.write('fdfs init: cancelled, nothing written\n');
      this.exit(130);
    }
    const f = describeFailure(err);
    process.stderr.write(`fdfs init: ${f.message}\n`);
    this.exit(f.exit);
  }
}
