// Preloaded into a child process (NODE_OPTIONS=--import=<this file>) by tests that point an AWS
// client at a loopback stand-in whose endpoint rules put a label in front of the host, as the
// CloudFront KeyValueStore client does with the account id (<account>.localhost): glibc does not
// resolve subdomains of localhost, so they are sent to 127.0.0.1 here. Nothing else changes.
import dns from 'node:dns';

const lookup = dns.lookup;
dns.lookup = (host, options, callback) =>
  typeof host === 'string' && host.endsWith('.localhost')
    ? lookup('127.0.0.1', options, callback)
    : lookup(host, options, callback);
