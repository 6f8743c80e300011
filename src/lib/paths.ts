import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/**
 * The project's folder (the one with package.json), whether the code runs from src/ (tests, ts-node) or from
 * dist/src/ (`npm start`): templates, message catalogues, fonts and public files are read from there.
 */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  root = dir;
  return dir;
}
