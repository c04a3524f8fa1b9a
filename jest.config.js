// Root Jest configuration: runs every project's suite (libs, services, cross-cutting tests)
// in one Jest process pool.
const fs = require('node:fs');
const path = require('node:path');

const projects = [];
for (const group of ['libs', 'services', 'test']) {
  const dir = path.join(__dirname, group);
  if (!fs.existsSync(dir)) continue;
  if (fs.existsSync(path.join(dir, 'jest.config.js'))) projects.push(path.join(dir, 'jest.config.js'));
  for (const name of fs.readdirSync(dir)) {
    const config = path.join(dir, name, 'jest.config.js');
    if (fs.existsSync(config)) projects.push(config);
  }
}

// The skip reporter lists, after the summary, what was skipped and why (see jest.skip-reporter.js).
module.exports = { projects, reporters: ['default', path.join(__dirname, 'jest.skip-reporter.js')] };
