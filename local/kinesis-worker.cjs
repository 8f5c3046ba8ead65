// kinesalite in a worker thread (see kinesis-local.ts): the local Kinesis gets its own event loop
// and CPU core, and a shutdown that cannot crash the process. Plain CommonJS because worker
// threads load a file as is, in source and bundle.
//
// Protocol with the parent: workerData { kinesalitePath, path, port }; posts { type: 'listening',
// port } once LevelDB is open and the port is bound, or { type: 'error', message, code }; on
// { type: 'close' } it stops taking requests, waits for the running ones (their LevelDB reads must
// finish before the database closes, or leveldown crashes the process), closes, and posts
// { type: 'closed' }.
'use strict';
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');

/** Longest wait for running requests at shutdown before closing anyway. */
const DRAIN_LIMIT_MS = 10000;

let reported = false;
function fail(err) {
  if (reported) return;
  reported = true;
  parentPort.postMessage({
    type: 'error',
    message: err?.message ? err.message : String(err),
    code: err?.code,
  });
  setImmediate(() => process.exit(1));
}
process.on('uncaughtException', fail);

// Stream metadata cache. kinesalite keeps each stream's description (shards, sequence counters) in
// LevelDB and reads it back on every PutRecords, GetRecords and ListShards: one more trip through
// the libuv thread pool, inside the per-stream lock that serialises PutRecords. Every write of
// that metadata goes through this thread, so a write-through copy answers reads exactly as LevelDB
// would (a fresh object per read, the value of the last completed write) without the trip.
// LevelDB does not order a read against a write still in flight on another pool thread, so the
// cache only holds a value known to be LevelDB's current one: a write's value once it completed
// with no other write of that key in flight, or a read's result when no write was in flight or
// started while it ran. Otherwise reads go to LevelDB.
function cacheStreamMetadata(metaDb) {
  const cache = new Map();
  const started = new Map(); // writes started per key
  const inFlight = new Map(); // writes not yet completed per key
  const count = (m, key) => m.get(key) || 0;
  const beginWrite = (key) => {
    started.set(key, count(started, key) + 1);
    inFlight.set(key, count(inFlight, key) + 1);
    cache.delete(key);
    return count(started, key);
  };
  const endWrite = (key) => {
    const left = count(inFlight, key) - 1;
    if (left > 0) inFlight.set(key, left);
    else inFlight.delete(key);
    return left;
  };
  const { get, put, del } = metaDb;
  // Rest parameters, not named ones: a call without a callback is forwarded with exactly the
  // arguments it came with (levelup's promise form depends on the count).
  metaDb.get = function (...args) {
    const [key, options, cb] = args;
    const done = typeof options === 'function' ? options : cb;
    if (typeof done !== 'function') return get.apply(this, args);
    const hit = cache.get(key);
    if (hit !== undefined) return void process.nextTick(done, null, JSON.parse(hit));
    const quiet = count(inFlight, key) === 0;
    const seen = count(started, key);
    get.call(this, key, typeof options === 'function' ? {} : options, (err, value) => {
      if (!err && quiet && count(started, key) === seen) cache.set(key, JSON.stringify(value));
      done(err, value);
    });
  };
  metaDb.put = function (...args) {
    const [key, value, options, cb] = args;
    const done = typeof options === 'function' ? options : cb;
    const mine = beginWrite(key);
    const json = JSON.stringify(value);
    const finish = (err) => {
      const left = endWrite(key);
      if (!err && left === 0 && count(started, key) === mine) cache.set(key, json);
      return err;
    };
    if (typeof done !== 'function') {
      const p = put.apply(this, args);
      // Without a promise the outcome is unknown: the key stays "in flight", so it is never cached.
      if (p && typeof p.then === 'function')
        p.then(
          () => finish(null),
          (err) => finish(err || new Error('put failed')),
        );
      return p;
    }
    put.call(this, key, value, typeof options === 'function' ? {} : options, (err) =>
      done(finish(err)),
    );
  };
  metaDb.del = function (...args) {
    const [key, options, cb] = args;
    const done = typeof options === 'function' ? options : cb;
    beginWrite(key);
    if (typeof done !== 'function') {
      const p = del.apply(this, args);
      if (p && typeof p.then === 'function')
        p.then(
          () => endWrite(key),
          () => endWrite(key),
        );
      return p;
    }
    del.call(this, key, typeof options === 'function' ? {} : options, (err) => {
      endWrite(key);
      done(err);
    });
  };
}

// kinesalite does not expose its store; its db module's create() is wrapped to get hold of it (for
// the cache above and to wait until LevelDB is open). If a kinesalite version changes that shape,
// the wrapper steps aside and kinesalite runs unchanged.
const db = require(path.join(path.dirname(workerData.kinesalitePath), 'db'));
const create = db.create;
let store = null;
db.create = function (options) {
  const s = create.call(this, options);
  if (s?.metaDb && typeof s.metaDb.get === 'function' && typeof s.metaDb.put === 'function')
    cacheStreamMetadata(s.metaDb);
  store = s;
  return s;
};
const kinesalite = require(workerData.kinesalitePath);

const server = kinesalite({
  path: workerData.path,
  createStreamMs: 0,
  deleteStreamMs: 0,
  updateStreamMs: 0,
  shardLimit: 100,
});
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
server.once('error', fail);

/** Resolves once LevelDB is open; rejects with its error (e.g. the folder's lock is held). */
function databaseOpen() {
  const level = store?.db;
  if (!level || typeof level.isOpen !== 'function' || level.isOpen()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    level.once('open', resolve);
    level.once('error', reject);
  });
}

databaseOpen().then(
  () =>
    server.listen(workerData.port || 0, '127.0.0.1', () =>
      parentPort.postMessage({ type: 'listening', port: server.address().port }),
    ),
  fail,
);

parentPort.on('message', (msg) => {
  if (msg?.type !== 'close' || closing) return;
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
