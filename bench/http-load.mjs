// A small closed-loop HTTP load generator (no dependencies): N requests at concurrency C against
// a running Chorus, printing req/s, p50 and p99. Traffic goes only to the URL given (loopback).
//   node bench/http-load.mjs <url> <bearer-token> [requests=2000] [concurrency=10]
const [url, token, total = '2000', concurrency = '10'] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node bench/http-load.mjs <url> <bearer-token> [requests] [concurrency]');
  process.exit(2);
}
const target = new URL(url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
  console.error('refusing a non-loopback target');
  process.exit(2);
}
const n = Number(total);
const latencies = [];
let next = 0;
let failures = 0;
async function worker() {
  while (next < n) {
    next++;
    const start = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) failures++;
    latencies.push(performance.now() - start);
  }
}
const began = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const seconds = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2);
console.log(JSON.stringify({ url, requests: n, concurrency: Number(concurrency), failures, reqPerSec: Math.round(n / seconds), p50ms: pct(50), p99ms: pct(99) }));
