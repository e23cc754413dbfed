// node summary.cjs <file.cpuprofile> [topN]: self time by package and by function, then inclusive time (INCL=N rows)
const fs = require('fs');
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const top = Number(process.argv[3] || 40);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dts = p.timeDeltas; let total = 0;
// A sample's time is the delta to the next sample (as categories.cjs and callers.cjs count it).
for (let i = 0; i < p.samples.length; i++) { const id = p.samples[i]; const dt = dts[i + 1] || 0; self.set(id, (self.get(id) || 0) + dt); total += dt; }
const fnT = new Map(), pkgT = new Map();
let idle = 0;
for (const [id, t] of self) {
  const n = byId.get(id); const cf = n.callFrame;
  if (cf.functionName === '(idle)') { idle += t; continue; }
  const url = cf.url || '';
  let pkg = '(native/vm)';
  const m = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (m) pkg = m[1]; else if (url.startsWith('node:')) pkg = 'node:' + url.slice(5).split('/')[0]; else if (url.includes('/libs/')) pkg = 'libs/' + url.split('/libs/')[1].split('/')[0]; else if (url.includes('/services/')) pkg = 'services/' + url.split('/services/')[1].split('/')[0]; else if (url.includes('/bench/')) pkg='bench'; else if (cf.functionName.startsWith('(')) pkg = cf.functionName;
  const key = `${cf.functionName || '(anon)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/(libs|services|bench)\//, '$1/')}:${cf.lineNumber + 1}`;
  fnT.set(key, (fnT.get(key) || 0) + t); pkgT.set(pkg, (pkgT.get(pkg) || 0) + t);
}
const busy = total - idle;
console.log(`${process.argv[2]}: total ${(total/1e6).toFixed(2)} s, busy ${(busy/1e6).toFixed(2)} s`);
const pr = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, t]) => console.log(`${(100*t/busy).toFixed(1).padStart(5)}%  ${(t/1e3).toFixed(0).padStart(6)} ms  ${k}`));
console.log('-- by package'); pr(pkgT, 25);
console.log('-- by function'); pr(fnT, top);
// inclusive time of frames matching interesting patterns
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of self) {
  const n0 = byId.get(id); if (n0.callFrame.functionName === '(idle)') continue;
  const seen = new Set();
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const cf = byId.get(x).callFrame;
    const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/.*node_modules\//, '').replace(/.*\/(libs|services|bench)\//, '$1/')}:${cf.lineNumber + 1}`;
    if (seen.has(key)) continue; seen.add(key);
    incl.set(key, (incl.get(key) || 0) + t);
  }
}
console.log('-- inclusive (top)');
[...incl].filter(([k]) => !/^\(root\)|^\(anon\) *:0|processTicksAndRejections|runMicrotasks|listOnTimeout|processTimers/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.INCL || 70)).forEach(([k, t]) => console.log(`${(100*t/busy).toFixed(1).padStart(5)}%  ${(t/1e3).toFixed(0).padStart(6)} ms  ${k}`));
