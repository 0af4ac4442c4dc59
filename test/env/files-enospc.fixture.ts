// Run inside a small tmpfs by test/env/files.test.ts (`node --import tsx THIS MOUNT`): fills the
// disk through env/files.ts and prints what each writer raised, as JSON.
import { join } from 'node:path';
import { AppendFile, writeDirAtomic, writeFileAtomic, writeFileDurable } from '../../env/files.ts';

const mount = process.argv[2];
const caught = (f: () => void): { name: string; kind?: string; message: string; hint?: string } | null => {
  try { f(); return null; } catch (e) {
    const x = e as { name: string; kind?: string; message: string; hint?: string };
    return { name: x.name, kind: x.kind, message: x.message, hint: x.hint };
  }
};
const big = 'x'.repeat(200 * 1024);
const out: Record<string, unknown> = {};
writeFileAtomic(join(mount, 'old.txt'), 'old content\n');
out.atomic = caught(() => writeFileAtomic(join(mount, 'old.txt'), big, { what: 'report' }));
out.dir = caught(() => writeDirAtomic(join(mount, 'ck'), (tmp) => writeFileDurable(join(tmp, 'weights.bin'), big), { what: 'checkpoint' }));
const f = AppendFile.open(join(mount, 'log.jsonl'), { truncate: true, what: 'episode log' });
let appended = 0;
out.append = caught(() => {
  for (;;) { f.append(`${JSON.stringify({ i: appended, pad: 'y'.repeat(1500) })}\n`); appended++; }
});
out.appended = appended;
out.length = f.length;
// The file stays usable: a record that fits after the failure is appended whole.
f.close();
process.stdout.write(JSON.stringify(out));
