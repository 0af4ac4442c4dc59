/**
 * Serialises a server's calls into one `LanguageModel` and merges concurrent greedy
 * requests that share their settings into one `generate` call, so many clients
 * (e.g. rollouts of many episodes) share forward passes of a batching model. The queue is
 * FIFO by the oldest waiting request; merged prompts keep their order.
 */
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { stableKey } from './stable-key.ts';

interface Job {
  kind: 'generate' | 'logprobs';
  key: string;
  prompts: string[];
  continuations?: string[];
  options?: GenerateOptions;
  resolve: (v: string[] | number[]) => void;
  reject: (e: unknown) => void;
}

export class ModelQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  private solo = 0;
  /** Number of model calls made and prompts they carried (for tests and logs). */
  readonly stats = { calls: 0, prompts: 0 };

  constructor(private readonly model: LanguageModel, private readonly maxBatch = 64) {}

  /** Requests waiting for the model (not counting the call in progress). */
  get pending(): number {
    return this.jobs.length;
  }

  /**
   * Only greedy requests merge: a seeded sampler may depend on a prompt's row in the batch
   * (the local model seeds each row from seed and row), so a sampled request runs alone and
   * its answer does not depend on other clients' traffic.
   */
  generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    const greedy = (options.temperature ?? 0) <= 0;
    const key = greedy ? `g:${stableKey(options)}` : `s:${++this.solo}`;
    return this.enqueue({ kind: 'generate', key, prompts, options }) as Promise<string[]>;
  }

  logProbs(prompts: string[], continuations: string[]): Promise<number[]> {
    return this.enqueue({ kind: 'logprobs', key: 'l', prompts, continuations }) as Promise<number[]>;
  }

  private enqueue(job: Omit<Job, 'resolve' | 'reject'>): Promise<string[] | number[]> {
    return new Promise((resolve, reject) => {
      this.jobs.push({ ...job, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // Let requests whose bytes have already arrived reach the queue before grouping: a model
      // that computes synchronously would otherwise start on the first request alone, every time.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.jobs.length > 0) {
        const key = this.jobs[0].key;
        const group: Job[] = [];
        let size = 0;
        for (let i = 0; i < this.jobs.length;) {
          const j = this.jobs[i];
          if (j.key === key && (group.length === 0 || size + j.prompts.length <= this.maxBatch)) {
            group.push(j);
            size += j.prompts.length;
            this.jobs.splice(i, 1);
          } else i++;
        }
        await this.run(group);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  private async run(group: Job[]): Promise<void> {
    const prompts = group.flatMap((j) => j.prompts);
    this.stats.calls++;
    this.stats.prompts += prompts.length;
    try {
      let out: string[] | number[];
      if (group[0].kind === 'generate') {
        out = await this.model.generate(prompts, group[0].options!);
      } else {
        if (!this.model.logProbs) throw new Error('model has no logProbs');
        out = await this.model.logProbs(prompts, group.flatMap((j) => j.continuations!));
      }
      let at = 0;
      for (const j of group) {
        j.resolve(out.slice(at, at + j.prompts.length) as string[] | number[]);
        at += j.prompts.length;
      }
    } catch (e) {
      for (const j of group) j.reject(e);
    }
  }
}
