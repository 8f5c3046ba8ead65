// kinesalite in a worker thread (see kinesis-server.ts): the local Kinesis gets its own event loop
// and CPU core, so the emulator, the consumer and DuckDB do not wait behind LevelDB and kinesalite's
// JSON/base64 work. Plain CommonJS because worker threads load a file as is, in source and bundle.
//
// Protocol with the parent: workerData { kinesalitePath, path, port }; posts { type: 'listening',
// port } or { type: 'error', message }; on { type: 'close' } it stops taking requests, waits for
// the running ones (their LevelDB reads must finish before the database closes, or leveldown
// crashes the process), closes, and posts { type: 'closed' }.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const kinesalite = require(workerData.kinesalitePath);

/** Longest wait for running requests at shutdown before closing anyway. */
const DRAIN_LIMIT_MS = 10000;

const server = kinesalite({ path: workerData.path, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
let running = 0;
let closing = false;
let onIdle = null;

const [handler] = server.listeners('request');
server.removeAllListeners('request');
server.on('request', (req, res) => {
  if (closing) {
    res.writeHead(503, { Connection: 'close' }).end();
    return;
  }
  running += 1;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    running -= 1;
    if (running === 0 && onIdle) onIdle();
  };
  // kinesalite answers every request it read completely with res.end(), after its database work.
  const end = res.end.bind(res);
  res.end = (...args) => {
    settle();
    return end(...args);
  };
  // A request cut off before its body ended never reaches the database.
  req.once('close', () => {
    if (!req.complete) settle();
  });
  handler.call(server, req, res);
});

server.once('error', (err) => parentPort.postMessage({ type: 'error', message: err.message, code: err.code }));
server.listen(workerData.port || 0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));

parentPort.on('message', (msg) => {
  if (!msg || msg.type !== 'close' || closing) return;
  closing = true;
  // The plain http close: stop listening. kinesalite's own close would shut the database now.
  Object.getPrototypeOf(server).close.call(server);
  server.closeIdleConnections();
  const idle = new Promise((resolve) => {
    if (running === 0) return resolve();
    onIdle = resolve;
    setTimeout(resolve, DRAIN_LIMIT_MS).unref();
  });
  idle.then(() => {
    server.closeAllConnections();
    // kinesalite's close: the database, then the http close (which reports "not running": fine).
    server.close((err) => {
      const failed = err && err.code !== 'ERR_SERVER_NOT_RUNNING';
      parentPort.postMessage(failed ? { type: 'error', message: err.message } : { type: 'closed' });
      parentPort.close();
    });
  });
});
