#!/usr/bin/env node
// Minimal AWS Signature Version 4 client for S3, Node standard library only,
// used by deploy/local/s3.sh (create the bucket) and deploy/local/verify.sh.
//
//   node s3-sigv4.mjs request METHOD URL [FILE|-]   signed request (Authorization header);
//                                                  body from FILE or stdin ('-');
//                                                  prints the response body, "HTTP <status>" on stderr;
//                                                  exit 0 on 2xx, 1 otherwise
//   node s3-sigv4.mjs presign METHOD URL [SECONDS] prints a presigned URL (query-string auth)
//
// Credentials/region: VEGVISION_S3_ACCESS_KEY_ID, VEGVISION_S3_SECRET_ACCESS_KEY,
// VEGVISION_S3_REGION (defaults vegvision / vegvision-secret / us-east-1).
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

const accessKey = process.env.VEGVISION_S3_ACCESS_KEY_ID ?? 'vegvision';
const secretKey = process.env.VEGVISION_S3_SECRET_ACCESS_KEY ?? 'vegvision-secret';
const region = process.env.VEGVISION_S3_REGION ?? 'us-east-1';
const service = 's3';

const sha256hex = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

// RFC 3986 encoding as SigV4 wants it; '/' kept when encoding a path.
function uriEncode(str, keepSlash) {
  let out = '';
  for (const ch of Buffer.from(str, 'utf8')) {
    const c = String.fromCharCode(ch);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + ch.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function amzDates(now = new Date()) {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return { amzDate, dateStamp: amzDate.slice(0, 8) };
}

function canonicalQuery(params) {
  return [...params]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function signature(dateStamp, stringToSign) {
  const kDate = hmac('AWS4' + secretKey, dateStamp);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

function sign({ method, url, headers, payloadHash, amzDate, dateStamp }) {
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonicalHeaders = names.map((h) => `${h}:${lower[h]}\n`).join('');
  const signedHeaders = names.join(';');
  // S3 does not normalise the path: encode once, decoded form as given.
  const path = uriEncode(decodeURIComponent(url.pathname), true);
  const canonicalRequest = [method, path, canonicalQuery(url.searchParams), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  return { sig: signature(dateStamp, stringToSign), signedHeaders, scope };
}

export function presign(method, rawUrl, expires = 900) {
  const url = new URL(rawUrl);
  const { amzDate, dateStamp } = amzDates();
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
  url.searchParams.set('X-Amz-Credential', `${accessKey}/${scope}`);
  url.searchParams.set('X-Amz-Date', amzDate);
  url.searchParams.set('X-Amz-Expires', String(expires));
  url.searchParams.set('X-Amz-SignedHeaders', 'host');
  const { sig } = sign({ method, url, headers: { host: url.host }, payloadHash: 'UNSIGNED-PAYLOAD', amzDate, dateStamp });
  // rebuild the query with SigV4 encoding so the server sees exactly what was signed
  return `${url.origin}${uriEncode(decodeURIComponent(url.pathname), true)}?${canonicalQuery(url.searchParams)}&X-Amz-Signature=${sig}`;
}

export async function request(method, rawUrl, body) {
  const url = new URL(rawUrl);
  const { amzDate, dateStamp } = amzDates();
  const payload = body ?? Buffer.alloc(0);
  const payloadHash = sha256hex(payload);
  const headers = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const { sig, signedHeaders, scope } = sign({ method, url, headers, payloadHash, amzDate, dateStamp });
  const authorization = `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${sig}`;
  const { host, ...sent } = headers;
  const res = await fetch(url, {
    method,
    headers: { ...sent, authorization },
    body: method === 'GET' || method === 'HEAD' ? undefined : payload,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

async function main() {
  const [cmd, method, url, arg] = process.argv.slice(2);
  if (cmd === 'presign' && method && url) {
    process.stdout.write(presign(method.toUpperCase(), url, arg ? Number(arg) : 900) + '\n');
    return;
  }
  if (cmd === 'request' && method && url) {
    const body = arg === '-' ? readFileSync(0) : arg ? readFileSync(arg) : undefined;
    const res = await request(method.toUpperCase(), url, body);
    process.stdout.write(res.body);
    process.stderr.write(`HTTP ${res.status}\n`);
    process.exitCode = res.status >= 200 && res.status < 300 ? 0 : 1;
    return;
  }
  process.stderr.write('usage: s3-sigv4.mjs request METHOD URL [FILE|-] | presign METHOD URL [SECONDS]\n');
  process.exitCode = 2;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('s3-sigv4.mjs')) {
  main().catch((e) => {
    process.stderr.write(`s3-sigv4: ${e.message}\n`);
    process.exitCode = 1;
  });
}
