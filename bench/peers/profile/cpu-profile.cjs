// Profiles each service process (and the bench runner) from when $PROF_DIR/START exists until exit.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const cwd = process.cwd();
const isBench = process.argv.some((a) => /bench\/peers\/run\.ts$/.test(a));
const dir = process.env.PROF_DIR || '/tmp/taskyard-prof';
if (/\/services\//.test(cwd) || isBench) {
  const s = new inspector.Session();
  s.connect();
  let started = false;
  const poll = setInterval(() => {
    if (!fs.existsSync(path.join(dir, 'START'))) return;
    clearInterval(poll);
    s.post('Profiler.enable');
    s.post('Profiler.setSamplingInterval', { interval: 500 });
    s.post('Profiler.start');
    started = true;
  }, 200);
  poll.unref();
  let done = false;
  const dump = () => {
    if (done || !started) return; done = true;
    s.post('Profiler.stop', (err, { profile }) => {
      const name = isBench ? 'loadgen' : path.basename(cwd);
      if (!err) fs.writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    });
  };
  process.on('exit', dump);
}
