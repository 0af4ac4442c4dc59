/** The 78 pipeline fixtures: verdict, `check_programs`'s exact message, and the delta. */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { checkPipeline, type PipelineFixture } from '../../env/conformance.ts';
import { HAVE_VH_DATA, describeVH, vhPath } from '../support/vh-data.ts';

const files = HAVE_VH_DATA ? readdirSync(vhPath('pipeline_v1')).filter((f) => f.endsWith('.json')).sort() : [];

describeVH('pipeline fixtures (v1.0.0 dataset pipeline)', () => {
  it('has all 78 fixtures', () => expect(files).toHaveLength(78));

  it.each(files)('%s reproduces executable, message and delta', (f) => {
    const fx = JSON.parse(readFileSync(vhPath('pipeline_v1', f), 'utf8')) as PipelineFixture;
    expect(checkPipeline(fx)).toEqual([]);
  });

  it('covers failing programs too', () => {
    const verdicts = files.map((f) => (JSON.parse(readFileSync(vhPath('pipeline_v1', f), 'utf8')) as PipelineFixture).executable);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(0);
  });
});
