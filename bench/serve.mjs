// What the server benchmarks share: `stepwise serve` started in its own process on a free port, and an
// awsJson1_0 client for it over keep-alive HTTP (a rejected call throws with the error's type and message).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const freePort = () =>
  new Promise((res) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

/** Starts `stepwise serve --port <free> ...args`; resolves once it serves. */
export async function startServe(args, env = {}, nodeArgs = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'bin', 'stepwise.js'), 'serve', '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_ACCOUNT_ID: '123456789012', AWS_DEFAULT_REGION: 'us-east-1', ...env },
  });
  await new Promise((res, rej) => {
    child.stdout.on('data', (d) => {
      if (String(d).includes('serving')) res();
    });
    child.on('exit', (c) => rej(new Error(`server exited with ${c}`)));
  });
  return { child, port };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

/** Closes the client's idle keep-alive sockets (so the process can exit). */
export const closeClient = () => agent.destroy();

/** AWS Step Functions operation `op` on the server at `port`. */
export function callSfn(port, op, params) {
  const body = JSON.stringify(params);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = text ? JSON.parse(text) : {};
        if (res.statusCode !== 200) reject(new Error(`${op}: ${res.statusCode} ${json.__type}: ${json.message}`));
        else resolve(json);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
