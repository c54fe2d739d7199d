// `fdfs init` from start to end: answers (file + flags, or the wizard on a terminal) into a plan,
// rendered and written to the output folder. The command only parses flags and prints the result.
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { PLAN_DEFAULTS, type InitPlan } from './plan.js';
import { loadAnswersFile, mergeAnswers, planFromAnswers, type RawAnswers } from './answers.js';
import { checkOutput, renderPlan, writePlan } from './render.js';
import { yesCommand } from './replay.js';
import { newSecret } from '../../security/keys.js';

export interface InitOptions {
  out: string;
  /** --out was given (it then wins over the answers file's `out`). */
  outGiven: boolean;
  yes: boolean;
  answersFile?: string;
  force: boolean;
  /** The answers given as flags. */
  fromFlags: RawAnswers;
}

export interface InitResult {
  out: string;
  files: number;
  /** One folder per host, in the order written. */
  hosts: string[];
}

/** The wizard saved its answers instead of writing: how to write them later. */
export interface SavedAnswers {
  savedTo: string;
  /** `fdfs init --answers FILE`, then the same as flags when flags can say it all. */
  rerun: string[];
}

/** Plan and write; the saved answers when the wizard stopped there, null when it gave up. */
export async function initCluster(o: InitOptions, say: (line: string) => void): Promise<InitResult | SavedAnswers | null> {
  let out = o.out;
  let plan: InitPlan;
  if (o.yes || o.answersFile) {
    const file = o.answersFile ? await loadAnswersFile(o.answersFile) : {};
    if (file.out && !o.outGiven) out = path.resolve(path.dirname(o.answersFile!), file.out);
    plan = planFromAnswers(mergeAnswers(file, o.fromFlags));
  } else {
    if (!process.stdin.isTTY) {
      throw new UsageError('no terminal to ask questions on: pass --yes with --tracker HOST:PORT and --storage GROUP=HOST:PORT, or --answers FILE');
    }
    const { runWizard } = await import('./wizard.js');
    const result = await runWizard({
      out,
      httpPort: o.fromFlags.httpPort ?? PLAN_DEFAULTS.httpPort,
      checkOut: async (dir) => {
        try {
          await checkOutput(dir, o.force);
          return true;
        } catch (err) {
          return (err as Error).message;
        }
      },
    }, say);
    if (!result) return null;
    if (result.savedTo) {
      const yes = yesCommand(result.plan, path.resolve(result.out));
      return { savedTo: result.savedTo, rerun: [`fdfs init --answers ${result.savedTo}`, ...(yes ? [yes] : [])] };
    }
    out = result.out;
    plan = result.plan;
  }
  const secrets = plan.security === 'off' ? undefined : { cluster: newSecret(), admin: newSecret() };
  const files = renderPlan(plan, secrets);
  await writePlan(out, files, o.force, [plan.tokenSecret, secrets?.cluster ?? '', secrets?.admin ?? '']);
  const hosts = [...new Set(files.map((f) => f.path.split('/')).filter((p) => p.length > 1).map((p) => p[0]!))];
  return { out, files: files.length, hosts };
}
