// node callers.cjs <file.cpuprofile> <regex> [depth]: who calls the frames matching regex: busy time by caller chain (TOP=N rows)
const fs = require('fs');
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const re = new RegExp(process.argv[3]); const depth = Number(process.argv[4] || 6);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) || 0) + (p.timeDeltas[i + 1] ?? 0));
const name = (cf) => `${cf.functionName || '(anon)'} ${cf.url.replace(/.*node_modules\//, '').replace(/.*\/(libs|services|bench)\//, '$1/')}:${cf.lineNumber + 1}`;
const agg = new Map(); let tot = 0;
for (const [id, t] of self) {
  let x = id; let hit;
  for (; x !== undefined; x = parent.get(x)) if (re.test(name(byId.get(x).callFrame))) { hit = x; break; }
  if (hit === undefined) continue;
  tot += t;
  const chain = []; for (let y = hit, k = 0; y !== undefined && k < depth; y = parent.get(y), k++) chain.push(name(byId.get(y).callFrame));
  const key = chain.join(' <- ');
  agg.set(key, (agg.get(key) || 0) + t);
}
console.log(`total ${(tot/1e3).toFixed(0)} ms`);
[...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP || 15)).forEach(([k, t]) => console.log(`${(t/1e3).toFixed(0).padStart(6)} ms  ${k}`));
