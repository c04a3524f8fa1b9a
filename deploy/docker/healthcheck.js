#!/usr/bin/env node
// Docker HEALTHCHECK of the service images: GET /healthz on this container's own port
// (VEGVISION_PORT, default 8080); exit 0 on HTTP 200, 1 otherwise. No curl in the slim image.
const http = require('node:http');

const port = Number(process.env.VEGVISION_PORT || 8080);
const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 4000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', () => process.exit(1));
