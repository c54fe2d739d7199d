// `fdfs init` output: from an InitPlan, one folder per host with stock-format tracker/storage/client
// conf files, systemd units and a README, plus a top-level README; written only where nothing exists.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  defaultClientConfig, defaultStorageConfig, defaultTrackerConfig, parseReservedSpace, renderClientConf,
  renderStorageConf, renderTrackerConf,
} from '../../config/index.js';
import { UsageError } from '../../errors.js';
import { groupsOf, isIpLiteral, key, type InitPlan, type StoragePlan, type TrackerPlan } from './plan.js';

export interface OutFile {
  /** Relative to the output folder: `<host>/<name>` or a top-level name. */
  path: string;
  content: string;
}

interface HostServers {
  host: string;
  trackers: Array<TrackerPlan & { conf: string; unit: string; basePath: string }>;
  storages: Array<StoragePlan & { conf: string; unit: string; basePath: string; paths: string[] }>;
}

const LOOKUP = { 'round-robin': 0, group: 1, 'load-balance': 2 } as const;

/** Made at write time when the plan turns security on (never part of the answers). */
export interface PlanSecrets {
  cluster: string;
  admin: string;
}

/** The security keys of a server conf: every server reads the same keys file and cluster secret. */
function securityConf(plan: InitPlan) {
  if (plan.security === 'off') return {};
  return {
    authPolicy: plan.security,
    authKeysFile: path.posix.join(plan.confDir, 'keys.conf'),
    clusterSecretFile: path.posix.join(plan.confDir, 'cluster.secret'),
  };
}

/** Which servers each host runs, with their file and folder names (numbered only when a host runs several). */
export function layoutHosts(plan: InitPlan): HostServers[] {
  const hosts = new Map<string, HostServers>();
  const at = (host: string) => {
    let h = hosts.get(host);
    if (!h) hosts.set(host, (h = { host, trackers: [], storages: [] }));
    return h;
  };
  for (const t of plan.trackers) at(t.host).trackers.push({ ...t, conf: '', unit: '', basePath: '' });
  for (const s of plan.storages) at(s.host).storages.push({ ...s, conf: '', unit: '', basePath: '', paths: [] });
  for (const h of hosts.values()) {
    for (const t of h.trackers) {
      const suffix = h.trackers.length > 1 ? `-${t.port}` : '';
      t.conf = `tracker${suffix}.conf`;
      t.unit = `fdfs-tracker${suffix}.service`;
      t.basePath = path.posix.join(plan.baseDir, `tracker${suffix}`);
    }
    for (const s of h.storages) {
      const suffix = h.storages.length > 1 ? `-${s.group}-${s.port}` : '';
      s.conf = `storage${suffix}.conf`;
      s.unit = `fdfs-storage${suffix}.service`;
      s.basePath = path.posix.join(plan.baseDir, `storage${suffix}`);
      s.paths = s.storePaths.length ? s.storePaths : [s.basePath];
    }
  }
  return [...hosts.values()];
}

function trackerServers(plan: InitPlan) {
  return plan.trackers.map((t) => ({ hosts: [t.host], port: t.port }));
}

export function trackerConfText(plan: InitPlan, t: HostServers['trackers'][number]): string {
  return renderTrackerConf(defaultTrackerConfig({
    basePath: t.basePath,
    bindAddr: isIpLiteral(t.host) ? t.host : '',
    port: t.port,
    reservedStorageSpace: parseReservedSpace(plan.reservedStorageSpace),
    storeLookup: LOOKUP[plan.storeLookup],
    storeGroup: plan.storeLookup === 'group' ? plan.storeGroup : '',
    // The stock sample's value: OFFLINE after two missed minutes, not the 100 s code default.
    checkActiveInterval: 120,
    logLevel: plan.logLevel,
    storageIdsFilename: 'storage_ids.conf',
    httpServerPort: plan.trackerHttpPort,
    httpStorageServerPort: commonHttpPort(plan),
    ...securityConf(plan),
  }));
}

/** The storages' HTTP port most of them use: the trackers' HTTP entry redirects there. */
export function commonHttpPort(plan: InitPlan): number {
  const n = new Map<number, number>();
  for (const s of plan.storages) n.set(s.httpPort, (n.get(s.httpPort) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 8888;
}

export function storageConfText(plan: InitPlan, s: HostServers['storages'][number]): string {
  return renderStorageConf(defaultStorageConfig({
    groupName: s.group,
    basePath: s.basePath,
    bindAddr: isIpLiteral(s.host) ? s.host : '',
    port: s.port,
    storePathCount: s.paths.length,
    storePaths: s.paths,
    storePathReadonly: s.paths.map(() => false),
    trackerServers: trackerServers(plan),
    // Stock sample values: a beat every 30 s, disk usage every minute.
    heartBeatInterval: 30,
    statReportInterval: 60,
    httpServerPort: s.httpPort,
    httpMimeTypesFilename: 'mime.types',
    httpAntiStealCheckToken: plan.tokenSecret !== '',
    httpAntiStealSecretKey: plan.tokenSecret,
    httpAntiStealTokenTtl: plan.tokenTtl,
    logLevel: plan.logLevel,
    ...securityConf(plan),
  }));
}

/**
 * client.conf: the operator's copy (top level) holds the token secret for `fdfs token`; a host's copy
 * (`withSecret` false) is for the README's checks, world-readable, so it holds none.
 */
export function clientConfText(plan: InitPlan, withSecret = true): string {
  const secret = withSecret ? plan.tokenSecret : '';
  // The operator's admin key next to the top-level client.conf; on a host, the one installed in confDir.
  const keyFile = plan.security === 'off' ? '' : withSecret ? 'admin.key' : path.posix.join(plan.confDir, 'admin.key');
  return renderClientConf(defaultClientConfig({
    trackerServers: trackerServers(plan),
    storageIdsFilename: 'storage_ids.conf',
    // The trackers' HTTP entry, as planned (the key's stock default, 80, is not it).
    ...(plan.trackerHttpPort ? { httpTrackerServerPort: plan.trackerHttpPort } : {}),
    httpAntiStealCheckToken: secret !== '',
    httpAntiStealSecretKey: secret,
    httpAntiStealTokenTtl: plan.tokenTtl,
    logLevel: 'warn',
    authKeyFile: keyFile,
  }));
}

export function unitText(plan: InitPlan, role: 'tracker' | 'storage', what: string, conf: string, dirs: string[]): string {
  return [
    '[Unit]',
    `Description=fdfs ${role} ${what}`,
    // The host's README, installed next to the confs (step 3 of it).
    `Documentation=file:${path.posix.join(plan.confDir, 'README.md')}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `User=${plan.user}`,
    `Group=${plan.user}`,
    // '+' runs as root, so the data folders exist and belong to the service user on first start.
    `ExecStartPre=+/bin/mkdir -p ${dirs.join(' ')}`,
    `ExecStartPre=+/bin/chown ${plan.user}:${plan.user} ${dirs.join(' ')}`,
    `ExecStart=${plan.bin} serve --role ${role} --config ${path.posix.join(plan.confDir, conf)}`,
    'Restart=on-failure',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=20',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function hostReadme(plan: InitPlan, h: HostServers): string {
  const roles = [
    ...h.trackers.map((t) => `tracker ${key(t)}`),
    ...h.storages.map((s) => `storage of ${s.group} ${key(s)} (HTTP ${s.httpPort})`),
  ];
  const confs = [...h.trackers.map((t) => t.conf), ...h.storages.map((s) => s.conf),
    ...(plan.security === 'off' ? [] : ['keys.conf', 'cluster.secret', 'admin.key'])];
  const units = [...h.trackers.map((t) => t.unit), ...h.storages.map((s) => s.unit)];
  const dirs = [...h.trackers.map((t) => t.basePath), ...h.storages.flatMap((s) => [s.basePath, ...s.paths.filter((p) => p !== s.basePath)])];
  const ports = [...h.trackers.flatMap((t) => [`${t.port}/tcp (tracker)`, ...(plan.trackerHttpPort ? [`${plan.trackerHttpPort}/tcp (tracker HTTP)`] : [])]), ...h.storages.flatMap((s) => [`${s.port}/tcp (storage ${s.group})`, `${s.httpPort}/tcp (HTTP)`])];
  const conf = (f: string) => path.posix.join(plan.confDir, f);
  const lines = [
    `# ${h.host}`,
    '',
    `This host runs: ${roles.join('; ')}.`,
    '',
    '## Install',
    '',
    `1. Put the fdfs executable at \`${plan.bin}\` (\`npm run build:binary\` makes \`dist/fdfs\`, one file with everything).`,
    `2. Create the service user: \`sudo useradd --system --no-create-home --shell /usr/sbin/nologin ${plan.user}\``,
    `3. Copy the configuration (server confs readable by ${plan.user} only${plan.tokenSecret ? ': storage.conf holds the token secret' : ''}; client.conf, which holds no secret, and this README by everyone):`,
    `   \`sudo install -D -m 640 -g ${plan.user} -t ${plan.confDir} ${confs.join(' ')} && sudo install -m 644 -t ${plan.confDir} client.conf README.md\``,
    `4. Copy the units: \`sudo install -m 644 -t /etc/systemd/system ${units.join(' ')} && sudo systemctl daemon-reload\``,
    `5. Data folders (created by the units on first start, owned by ${plan.user}): ${dirs.map((d) => `\`${d}\``).join(', ')}.`,
    `6. Open the ports: ${ports.join(', ')}.`,
    '',
    '## Start order',
    '',
    'Start the trackers (on every tracker host) before the storages: a storage retries its trackers, but',
    'joins faster when they are up.',
    '',
    '```sh',
    ...h.trackers.map((t) => `sudo systemctl enable --now ${t.unit}`),
    ...h.storages.map((s) => `sudo systemctl enable --now ${s.unit}`),
    '```',
    '',
    '## Checks',
    '',
    '```sh',
    ...units.map((u) => `systemctl status ${u} --no-pager   # active (running); the log says "ready"`),
    `${plan.bin} monitor --config ${conf('client.conf')}   # every storage ACTIVE, exit code 0`,
    `echo hello > /tmp/fdfs-check.txt && ${plan.bin} upload /tmp/fdfs-check.txt --config ${conf('client.conf')}`,
    ...units.slice(0, 1).map((u) => `journalctl -u ${u} -f   # logs`),
    '```',
    '',
    'A new storage is ACTIVE within seconds. One joining a group that already holds files shows WAIT_SYNC, then',
    'SYNCING while another member copies those files to it; it turns ACTIVE on its own. OFFLINE means the tracker',
    'has no connection from it: its process is stopped, cannot reach the tracker, or has not re-joined yet after a',
    'tracker restart (a second or two) — check `systemctl status` on its host before assuming it is down.',
    '`fdfs monitor` and `fdfs storages` print what each state shown means.',
    '',
  ];
  return lines.join('\n');
}

function topReadme(plan: InitPlan, hosts: HostServers[]): string {
  const rows = hosts.map((h) => `| ${h.host} | ${[...h.trackers.map((t) => `tracker :${t.port}`), ...h.storages.map((s) => `${s.group} storage :${s.port} (HTTP :${s.httpPort})`)].join(', ')} |`);
  return [
    '# fdfs cluster',
    '',
    `Written by \`fdfs init\`: ${plan.trackers.length} tracker(s), ${groupsOf(plan).length} group(s), ${plan.storages.length} storage(s).`,
    'Each folder below holds what one host needs; its README.md says how to install and check it.',
    '',
    '| host | runs |',
    '|---|---|',
    ...rows,
    '',
    '## Start order',
    '',
    `1. Trackers: ${plan.trackers.map(key).join(', ')}.`,
    `2. Storages, any order: ${plan.storages.map((s) => `${s.group} ${key(s)}`).join(', ')}.`,
    `3. Check from any machine with \`client.conf\`: \`fdfs monitor --config client.conf\` (exit 0 = all ACTIVE).`,
    '',
    `Uploads go to ${plan.storeLookup === 'group' ? `group ${plan.storeGroup}` : plan.storeLookup === 'round-robin' ? 'the groups in turn' : 'the group with the most free space'};`,
    `each storage keeps ${plan.reservedStorageSpace} of its disk free.${plan.security === 'off' ? '' : ` Authentication is ${plan.security}: every server has keys.conf (an admin key with every right) and cluster.secret; admin.key here is the operator's key (client.conf uses it). Make keys for applications with \`fdfs key create ID --rights "group1:upload,download" --keys-file keys.conf\` and copy keys.conf to every server.`}${plan.tokenSecret ? ' HTTP downloads need an anti-steal token (the secret is in the storage.conf files and in the client.conf next to this README, for `fdfs token`: keep these private; the client.conf in each host\'s folder has no secret).' : ''}`,
    '',
  ].join('\n');
}

/** Every file of the plan, in a stable order. */
export function renderPlan(plan: InitPlan, secrets?: PlanSecrets): OutFile[] {
  const hosts = layoutHosts(plan);
  const out: OutFile[] = [
    { path: 'README.md', content: topReadme(plan, hosts) },
    { path: 'client.conf', content: clientConfText(plan) },
  ];
  const secured = plan.security !== 'off' && secrets;
  const keyFiles = secured ? [
    { name: 'keys.conf', content: `# fdfs keys: KEY_ID RIGHTS SECRET [PREVIOUS_SECRET]; add more with fdfs key create\nadmin *:all ${secrets.admin}\n` },
    { name: 'cluster.secret', content: `${secrets.cluster}\n` },
    { name: 'admin.key', content: `admin ${secrets.admin}\n` },
  ] : [];
  if (secured) out.push({ path: 'admin.key', content: `admin ${secrets.admin}\n` });
  const client = clientConfText(plan, false);
  for (const h of hosts) {
    const dir = h.host.replace(/[^A-Za-z0-9._-]/g, '_');
    for (const t of h.trackers) {
      out.push({ path: `${dir}/${t.conf}`, content: trackerConfText(plan, t) });
      out.push({ path: `${dir}/${t.unit}`, content: unitText(plan, 'tracker', key(t), t.conf, [t.basePath]) });
    }
    for (const s of h.storages) {
      out.push({ path: `${dir}/${s.conf}`, content: storageConfText(plan, s) });
      const dirs = [s.basePath, ...s.paths.filter((p) => p !== s.basePath)];
      out.push({ path: `${dir}/${s.unit}`, content: unitText(plan, 'storage', `${s.group} ${key(s)}`, s.conf, dirs) });
    }
    out.push({ path: `${dir}/client.conf`, content: client });
    for (const f of keyFiles) out.push({ path: `${dir}/${f.name}`, content: f.content });
    out.push({ path: `${dir}/README.md`, content: hostReadme(plan, h) });
  }
  return out;
}

/** Files of `files` that already exist under `outDir` (or the folder's entries, if it is not empty). */
export async function existingOutput(outDir: string): Promise<string[]> {
  try {
    return await readdir(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return [outDir];
    throw err;
  }
}

/** Refuse a non-empty output folder unless `force`. */
export async function checkOutput(outDir: string, force: boolean): Promise<void> {
  if (force) return;
  const entries = await existingOutput(outDir);
  if (entries.length) {
    throw new UsageError(`${outDir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): choose another --out, or add --force to overwrite`);
  }
}

function secretIn(content: string, secrets: readonly string[]): boolean {
  return secrets.some((s) => s !== '' && content.includes(s));
}

export async function writePlan(outDir: string, files: OutFile[], force: boolean, secrets: readonly string[] = []): Promise<string[]> {
  await checkOutput(outDir, force);
  const written: string[] = [];
  for (const f of files) {
    const p = path.join(outDir, f.path);
    await mkdir(path.dirname(p), { recursive: true });
    // A file holding the token secret is readable by the owner only.
    await writeFile(p, f.content, { mode: secretIn(f.content, secrets) ? 0o600 : 0o644 });
    written.push(p);
  }
  return written;
}
