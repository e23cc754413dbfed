import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { addWeeks, SeededRandom } from '@taskyard/school-data';

/**
 * An import zip of about `rows` CSV rows for one school of 1,000 pupils: classes.csv, pupils.csv, then
 * 80% spelling_results.csv (20 words per pupil-week) and the rest assessment_scores.csv. Rows are
 * written in the order an export writes them (a pupil's test together). Returns the zip's path.
 */
export interface ZipPlan {
  school: string;
  pupils: number;
  weeks: number;
  scoresPerPupil: number;
  rows: number;
}

const WORDS = ['because', 'friend', 'people', 'water', 'again', 'could', 'would', 'should', 'after', 'every', 'house', 'mouse', 'night', 'light', 'right', 'bright', 'school', 'little', 'children', 'mother'];

export function planFor(rows: number, school = 'sch7001', pupils = 1000): ZipPlan {
  const classes = Math.ceil(pupils / 30);
  const weeks = Math.max(1, Math.round((0.8 * rows) / (pupils * WORDS.length)));
  const scoresPerPupil = Math.max(0, Math.floor((rows - pupils - classes - weeks * pupils * WORDS.length) / pupils));
  return { school, pupils, weeks, scoresPerPupil, rows: classes + pupils + weeks * pupils * WORDS.length + scoresPerPupil * pupils };
}

async function writeLines(path: string, header: string, lines: () => Generator<string>): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let chunk = '';
  for (const line of lines()) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export async function makeImportZip(plan: ZipPlan, dir: string): Promise<string> {
  const src = join(dir, `src-${plan.rows}`);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  const rng = new SeededRandom(plan.rows);
  const s = plan.school;
  const classOf = (p: number): string => `${s}-c${String((p % Math.ceil(plan.pupils / 30)) + 1).padStart(2, '0')}`;
  const pupil = (p: number): string => `${s}-p${String(p + 1).padStart(5, '0')}`;
  await writeLines(join(src, 'classes.csv'), 'class_id,school_id,name,year_group', function* () {
    for (let c = 0; c < Math.ceil(plan.pupils / 30); c++) yield `${s}-c${String(c + 1).padStart(2, '0')},${s},${1 + (c % 6)}${String.fromCharCode(65 + Math.floor(c / 6))},${1 + (c % 6)}`;
  });
  await writeLines(join(src, 'pupils.csv'), 'pupil_id,school_id,class_id,given_name,family_name', function* () {
    for (let p = 0; p < plan.pupils; p++) yield `${pupil(p)},${s},${classOf(p)},Pupil,Number${p + 1}`;
  });
  await writeLines(join(src, 'spelling_results.csv'), 'school_id,pupil_id,week,word,correct', function* () {
    for (let w = 0; w < plan.weeks; w++) {
      const week = addWeeks('2024-09-02', w);
      for (let p = 0; p < plan.pupils; p++) for (const word of WORDS) yield `${s},${pupil(p)},${week},${word},${rng.next() < 0.7 ? 1 : 0}`;
    }
  });
  await writeLines(join(src, 'assessment_scores.csv'), 'school_id,batch_id,channel,pupil_id,content_id,subject,score,max_score,attempted_at', function* () {
    for (let p = 0; p < plan.pupils; p++) {
      for (let k = 0; k < plan.scoresPerPupil; k++) yield `${s},${s}-b${String((p % 34) + 1).padStart(3, '0')},TPD,${pupil(p)},do_${k + 1},maths,${rng.int(21)},20,2025-01-10T09:00:00Z`;
    }
  });
  const zip = new AdmZip();
  for (const f of ['classes.csv', 'pupils.csv', 'spelling_results.csv', 'assessment_scores.csv']) zip.addLocalFile(join(src, f));
  const path = join(dir, `import-${plan.rows}.zip`);
  zip.writeZip(path);
  rmSync(src, { recursive: true, force: true });
  return path;
}
