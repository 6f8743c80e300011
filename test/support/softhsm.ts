import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';

/** Debian's softhsm2 package puts the module here (scripts/ensure-tools.sh installs it; SOFTHSM2_MODULE overrides). */
export const SOFTHSM2_MODULE = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmToken {
  label: string;
  pin: string;
  soPin: string;
  /** The configuration file (SOFTHSM2_CONF) and the token folder it names. */
  conf: string;
  tokenDir: string;
  /** A KEYS_DIR for the folder's half of the set (data and hashing keys). */
  keysDir: string;
  /** What the server and `npm run keys` take to use this token (with KEYS_DIR and SOFTHSM2_CONF). */
  env: Record<string, string>;
  /** Removes the token's folders (the token must be closed by then). */
  remove(): void;
}

/**
 * A SoftHSM2 token of its own for one test file: a temporary token folder and configuration, and one token
 * initialised in it with softhsm2-util (a random user PIN and SO PIN).
 *
 * SoftHSM2 reads SOFTHSM2_CONF from the C environment when the module is initialised. Jest hands a test file a
 * copy of process.env, which native code never sees, so the variable is set on the real process (Node's own
 * `process`, reached through a function of Node's realm), for the rest of this worker's life: every token must be
 * closed (app.stop(), source.close()) before the file ends, so that the module is finalised and the next test file
 * of this worker initialises it again with its own configuration.
 */
export function softHsmToken(label = `cp-${randomBytes(3).toString('hex')}`): SoftHsmToken {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-softhsm-'));
  const tokenDir = path.join(root, 'tokens');
  fs.mkdirSync(tokenDir);
  const conf = path.join(root, 'softhsm2.conf');
  fs.writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const pin = randomBytes(4).readUInt32BE(0).toString().padStart(8, '7');
  const soPin = randomBytes(4).readUInt32BE(0).toString().padStart(8, '3');
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'ignore',
  });
  realProcess().env.SOFTHSM2_CONF = conf;
  const keysDir = path.join(root, 'keys');
  return {
    label,
    pin,
    soPin,
    conf,
    tokenDir,
    keysDir,
    env: { KEY_PROVIDER: 'pkcs11', PKCS11_MODULE: SOFTHSM2_MODULE, PKCS11_TOKEN_LABEL: label, PKCS11_PIN: pin, KEYS_DIR: keysDir, SOFTHSM2_CONF: conf },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Node's own process object (not jest's copy): its env is the C environment native modules read. */
function realProcess(): NodeJS.Process {
  const nodeFunction = inspect.constructor as FunctionConstructor;
  return nodeFunction('return process')() as NodeJS.Process;
}
