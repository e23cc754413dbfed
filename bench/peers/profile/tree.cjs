// node tree.cjs <file.cpuprofile> [minPct] [maxDepth]: top-down tree of inclusive busy time, nodes over minPct of it
const fs = require('fs');
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const min = Number(process.argv[3] || 1); const maxD = Number(process.argv[4] || 12);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) || 0) + (p.timeDeltas[i + 1] ?? 0));
const incl = new Map();
const walk = (n) => { let t = n.callFrame.functionName === '(idle)' ? 0 : (self.get(n.id) || 0); for (const c of n.children || []) t += walk(byId.get(c)); incl.set(n.id, t); return t; };
const root = p.nodes[0]; const busy = walk(root);
const name = (cf) => `${cf.functionName || '(anon)'} ${cf.url.replace(/.*node_modules\//, '').replace(/.*\/(libs|services|bench)\//, '$1/')}:${cf.lineNumber + 1}`;
const pr = (n, d) => { const t = incl.get(n.id); if (100 * t / busy < min || d > maxD) return; console.log(`${'  '.repeat(d)}${(100 * t / busy).toFixed(1)}% ${name(n.callFrame)}`); for (const c of (n.children || []).map((c) => byId.get(c)).sort((a, b) => incl.get(b.id) - incl.get(a.id))) pr(c, d + 1); };
console.log(`busy ${(busy/1e6).toFixed(2)} s`); pr(root, 0);
