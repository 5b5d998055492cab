// workers.js - node workload of programs_check.sh: worker_threads (messages,
// a SharedArrayBuffer with Atomics) and child_process (execFileSync, spawn
// with pipes, exec with an exit status, fork with an IPC channel).
//
// Prints to stdout and stderr in a fixed order (results are awaited in
// turn, never printed as they arrive), writes files under out/ in the
// current directory.  `node workers.js child` is the forked child.
'use strict';
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const cp = require('child_process');
const crypto = require('crypto');
const fs = require('fs');

function chain(seed, rounds) {
  let h = String(seed);
  for (let i = 0; i < rounds; i++) h = crypto.createHash('sha256').update(h).digest('hex');
  return h.slice(0, 16);
}

function workerMain() {
  const { id, shared } = workerData;
  const counter = new Int32Array(shared);
  for (let i = 0; i < 10000; i++) Atomics.add(counter, 0, 1);
  fs.writeFileSync(`out/worker-${id}.txt`, `worker ${id}\n`.repeat(100));
  parentPort.on('message', (m) => {
    if (m === 'stop') { parentPort.close(); return; }
    parentPort.postMessage({ id, m, h: chain(id * 100 + m, 2000) });
  });
  parentPort.postMessage({ id, ready: true });
}

function childMain() {
  process.on('message', (m) => {
    if (m === 'bye') { process.disconnect(); return; }
    process.send({ echo: m, h: chain(m, 500) });
  });
}

function runWorker(id, shared) {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { id, shared } });
    const got = [];
    w.on('message', (msg) => {
      if (msg.ready) { for (const m of [1, 2, 3]) w.postMessage(m); return; }
      got.push(msg);
      if (got.length === 3) w.postMessage('stop');
    });
    w.on('error', reject);
    w.on('exit', (code) => resolve({ id, code, got }));
  });
}

function spawnCollect(cmd, args, input) {
  return new Promise((resolve) => {
    const c = cp.spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('close', (code, signal) => resolve({ code, signal, out, err }));
    c.stdin.end(input);
  });
}

function forkChild() {
  return new Promise((resolve) => {
    const c = cp.fork(__filename, ['child']);
    const replies = [];
    c.on('message', (m) => {
      replies.push(m);
      if (replies.length === 3) c.send('bye');
    });
    c.on('exit', (code) => resolve({ code, replies }));
    for (const m of [7, 8, 9]) c.send(m);
  });
}

async function main() {
  fs.mkdirSync('out', { recursive: true });
  const shared = new SharedArrayBuffer(4);
  const results = await Promise.all([0, 1, 2, 3].map((id) => runWorker(id, shared)));
  for (const r of results) console.log('worker', r.id, 'exit', r.code, JSON.stringify(r.got));
  console.log('shared counter', new Int32Array(shared)[0]);
  console.error('stderr: workers done');

  console.log('execFileSync:', cp.execFileSync('sh', ['-c', 'echo from sh; echo to stderr >&2'],
    { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  const s = await spawnCollect('sort', ['-r'], 'b\na\nc\n'.repeat(2000));
  console.log('spawn sort:', s.code, s.signal, s.out.length, JSON.stringify(s.out.slice(0, 6)));
  const e = await new Promise((resolve) => cp.exec('echo out; echo err >&2; exit 4',
    (error, out, err) => resolve({ code: error && error.code, out, err })));
  console.log('exec:', e.code, JSON.stringify(e.out), JSON.stringify(e.err));
  const k = await new Promise((resolve) => {
    const c = cp.spawn('sleep', ['10']);
    c.on('exit', (code, signal) => resolve(signal));
    c.kill('SIGTERM');
  });
  console.log('killed child:', k);
  const f = await forkChild();
  console.log('fork:', f.code, JSON.stringify(f.replies));
  fs.writeFileSync('out/main.txt', JSON.stringify({ results, f }, null, 1));
  console.error('stderr: all done');
  process.exitCode = 5;
}

if (!isMainThread) workerMain();
else if (process.argv[2] === 'child') childMain();
else main();
