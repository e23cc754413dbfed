import { ALL_JOB_TYPES } from './job-types';
import { ENUM_NAMES } from './job-type';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; enum?: unknown[]; description?: string; title?: string };

function* schemasOf(schema: Schema): Generator<Schema> {
  yield schema;
  for (const sub of Object.values(schema.properties ?? {})) yield* schemasOf(sub);
}

/** Words a teacher filling in a form should never meet: the platform's own history and notations. */
const INTERNAL = [/\bseed\b/i, /YYYY|MM-DD/, /fan[- ]?out/i, /\bchild task/i, /\bparams?\b/];

// The console builds its forms from these schemas, so what they say is what a teacher reads.
const teacherFacing = ALL_JOB_TYPES.filter((def) => def.enabledByDefault);

test.each(teacherFacing.map((def) => [def.type, def] as const))('%s is described in words a teacher reads', (_type, def) => {
  const texts = [def.title, def.description, ...[...schemasOf(def.paramsSchema as Schema)].flatMap((s) => [s.title, s.description])];
  for (const text of texts.filter((t): t is string => typeof t === 'string')) {
    for (const word of INTERNAL) expect({ text, internal: word.test(text) }).toEqual({ text, internal: false });
  }
});

test.each(teacherFacing.map((def) => [def.type, def] as const))('every choice of %s has words for each of its values', (_type, def) => {
  for (const schema of schemasOf(def.paramsSchema as Schema)) {
    if (!schema.enum) continue;
    expect(schema[ENUM_NAMES]).toHaveLength(schema.enum.length);
  }
});
