const { mongo } = require('mongoose');
(async () => {
  const c = await mongo.MongoClient.connect('mongodb://127.0.0.1:27048/');
  for (const db of ['bench_history_100000', 'bench_history_1000000']) {
    const d = c.db(db);
    for (const scope of ['*', '*|g.term-1', 'u.teacher-1|s.failed', '*|s.failed', 'u.teacher-2', '*|t.diagnostic']) {
      const t0 = performance.now();
      const rows = await d.collection('list_marks').find({ p: `${scope}@head` }, { projection: { n: 1, cut: 1, since: 1 } }).toArray();
      const ms = performance.now() - t0;
      const cuts = rows.filter((r) => r.cut).map((r) => r.n).sort();
      const newestCut = cuts[cuts.length - 1];
      console.log(db, scope, 'entries', rows.length, 'cuts', cuts.length, 'above newest cut', rows.filter((r) => !r.cut && !r.since && r.n >= newestCut).length, `${ms.toFixed(1)} ms`);
    }
  }
  await c.close();
})();
