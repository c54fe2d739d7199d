// The flags of `fdfs init` and how they become answers (the same keys an --answers file holds; flags win).
import { Flags, type Interfaces } from '@oclif/core';
import { LOG_LEVELS } from '../../config/common-fields.js';
import { PLAN_DEFAULTS } from './plan.js';
import type { RawAnswers } from './answers.js';

export const initFlags = {
  out: Flags.string({ char: 'o', summary: 'Folder to write (one sub-folder per host).', default: './fdfs-cluster' }),
  yes: Flags.boolean({ char: 'y', summary: 'No questions: take everything from flags, --answers and defaults.' }),
  answers: Flags.string({ char: 'a', summary: 'JSON or YAML answers file (implies --yes).' }),
  force: Flags.boolean({ char: 'f', summary: 'Write into a non-empty folder, overwriting files.' }),
  tracker: Flags.string({ char: 't', summary: 'Tracker HOST:PORT (repeatable).', multiple: true, multipleNonGreedy: true, helpGroup: 'CLUSTER' }),
  storage: Flags.string({ char: 's', summary: 'Storage GROUP=HOST:PORT (repeatable).', multiple: true, multipleNonGreedy: true, helpGroup: 'CLUSTER' }),
  'base-dir': Flags.string({ summary: `Data folder on the hosts. Default: ${PLAN_DEFAULTS.baseDir}`, helpGroup: 'CLUSTER' }),
  'http-port': Flags.integer({ summary: `HTTP download port of the storages (the next free one when a host runs several). Default: ${PLAN_DEFAULTS.httpPort}`, min: 1, max: 65535, helpGroup: 'CLUSTER' }),
  'tracker-http-port': Flags.integer({ summary: `HTTP port of the trackers (redirects downloads to a storage, serves /metrics); 0 = off. Default: ${PLAN_DEFAULTS.trackerHttpPort}`, min: 0, max: 65535, helpGroup: 'CLUSTER' }),
  reserved: Flags.string({ summary: `Space kept free on every storage: 10% or 4GB. Default: ${PLAN_DEFAULTS.reservedStorageSpace}`, helpGroup: 'CLUSTER' }),
  'store-lookup': Flags.string({ summary: 'Where uploads go. Default: load-balance', options: ['load-balance', 'round-robin', 'group'], helpGroup: 'CLUSTER' }),
  'store-group': Flags.string({ summary: 'The group for --store-lookup group.', helpGroup: 'CLUSTER' }),
  'token-secret': Flags.string({ summary: 'Require anti-steal tokens on HTTP downloads, with this secret.', helpGroup: 'CLUSTER' }),
  security: Flags.string({ summary: 'Authentication: off (stock behaviour), optional or required; not off writes a cluster secret, a keys file with an admin key, and admin.key for the operator\'s client.conf. Default: off', options: ['off', 'optional', 'required'], helpGroup: 'CLUSTER' }),
  'log-level': Flags.string({ summary: 'log_level of the servers. Default: info', options: [...LOG_LEVELS], helpGroup: 'CLUSTER' }),
  bin: Flags.string({ summary: `fdfs executable on the hosts. Default: ${PLAN_DEFAULTS.bin}`, helpGroup: 'HOSTS' }),
  user: Flags.string({ summary: `Unix user of the services. Default: ${PLAN_DEFAULTS.user}`, helpGroup: 'HOSTS' }),
  'conf-dir': Flags.string({ summary: `Folder of the conf files on the hosts. Default: ${PLAN_DEFAULTS.confDir}`, helpGroup: 'HOSTS' }),
};

/** The cluster answers given as flags (undefined where not given). */
export function answersFromFlags(flags: Interfaces.InferredFlags<typeof initFlags>): RawAnswers {
  return {
    trackers: flags.tracker,
    storages: flags.storage,
    baseDir: flags['base-dir'],
    httpPort: flags['http-port'],
    trackerHttpPort: flags['tracker-http-port'],
    reservedStorageSpace: flags.reserved,
    storeLookup: flags['store-lookup'] as RawAnswers['storeLookup'],
    storeGroup: flags['store-group'],
    tokenSecret: flags['token-secret'],
    security: flags.security as RawAnswers['security'],
    logLevel: flags['log-level'] as RawAnswers['logLevel'],
    bin: flags.bin,
    user: flags.user,
    confDir: flags['conf-dir'],
  };
}
