// CLI: pnpm bench:ceilings. JSON on stdout, progress and the table on stderr, JSON also to bench/results/ceilings.json.
import { printTable, writeResults } from '../lib/report';
import { measureCeilings } from './measure';
import { ceilingRows } from './rows';

async function main(): Promise<void> {
  const ceilings = await measureCeilings({ log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify(ceilings, null, 2)}\n`);
  const { database: db } = ceilings;
  printTable(`Ceilings (${ceilings.host.cpus} CPUs, node ${ceilings.host.node}; db clients: ${db.clients})`, ceilingRows(ceilings));
  process.stderr.write(`\nwrote ${writeResults('ceilings', ceilings)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
