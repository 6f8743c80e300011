// Lets `node -r ./test/support/register-ts.js src/worker-main.ts` run the server's TypeScript as it is, for tests
// that need a real process (kill -9, SIGTERM). Each .ts file is transpiled on load (no type check: `npm test` runs
// tsc), and the output is cached by content in the OS temp folder, so a restarted process boots as fast as a build.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createHash } = require('node:crypto');

const CACHE = path.join(os.tmpdir(), 'credit-partner-ts-cache');
const OPTIONS = { module: 'commonjs', target: 'es2022', esModuleInterop: true, experimentalDecorators: true, resolveJsonModule: true, inlineSourceMap: true };
let ts;

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = createHash('sha256').update(JSON.stringify(OPTIONS)).update(filename).update(source).digest('hex').slice(0, 32);
  const cached = path.join(CACHE, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    ts ??= require('typescript');
    const compilerOptions = ts.convertCompilerOptionsFromJson(OPTIONS, process.cwd()).options;
    output = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    fs.mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
  }
  module._compile(output, filename);
};
