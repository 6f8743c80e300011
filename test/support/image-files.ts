/**
 * Readers for the deployment files (Dockerfile, compose.yaml, scripts/docker-entrypoint.sh), for
 * test/unit/image.test.ts. Each reads only the subset the project writes and throws on anything else, so a
 * construct it does not know fails the test instead of being misread.
 */

export interface Instruction {
  keyword: string;
  /** The text after the keyword, with continuation lines joined. */
  args: string;
  /** The stage it belongs to (its `AS` name, or its index), undefined before the first FROM. */
  stage?: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export interface Copy {
  stage: string;
  from?: string;
  sources: string[];
  destination: string;
  line: number;
}

export interface Dockerfile {
  args: Map<string, string>;
  stages: Stage[];
  copies: Copy[];
  final: Stage;
}

const KEYWORDS = new Set(['ARG', 'FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD']);

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    if (/^\s*(#|$)/.test(lines[i])) continue;
    let joined = lines[i];
    while (joined.endsWith('\\')) {
      joined = `${joined.slice(0, -1)} `;
      i++;
      while (i < lines.length && /^\s*#/.test(lines[i])) i++;
      joined += lines[i] ?? '';
    }
    const match = /^([A-Z]+)\s+(.*)$/.exec(joined.trim());
    if (!match || !KEYWORDS.has(match[1])) throw new Error(`Dockerfile line ${first + 1}: unknown instruction "${joined.trim().slice(0, 40)}"`);
    instructions.push({ keyword: match[1], args: match[2].replace(/\s+/g, ' ').trim(), line: first + 1 });
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const copies: Copy[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(' ');
      if (as !== undefined && (as.toUpperCase() !== 'AS' || !name)) throw new Error(`Dockerfile line ${instruction.line}: FROM <image> [AS <name>]`);
      const from = image.replace(/^\$\{(\w+)\}$/, (_, arg: string) => {
        if (!args.has(arg)) throw new Error(`Dockerfile line ${instruction.line}: ARG ${arg} has no default`);
        return args.get(arg)!;
      });
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (instruction.keyword !== 'ARG') throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} before FROM`);
      const [key, value] = instruction.args.split('=');
      args.set(key, value);
      continue;
    }
    instruction.stage = stage.name;
    stage.instructions.push(instruction);
    if (instruction.keyword === 'COPY') {
      const words = instruction.args.split(' ');
      const flags = words.filter((word) => word.startsWith('--'));
      const paths = words.filter((word) => !word.startsWith('--'));
      for (const flag of flags) if (!/^--from=\S+$/.test(flag)) throw new Error(`Dockerfile line ${instruction.line}: unexpected COPY flag ${flag}`);
      if (paths.length < 2 || paths.some((p) => p.startsWith('['))) throw new Error(`Dockerfile line ${instruction.line}: COPY <src>... <dest>`);
      const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
      copies.push({ stage: stage.name, from, sources: paths.slice(0, -1), destination: paths[paths.length - 1], line: instruction.line });
    }
  }
  if (!stages.length) throw new Error('Dockerfile has no FROM');
  return { args, stages, copies, final: stages[stages.length - 1] };
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK … CMD; the shell form is refused (no shell, signals reach node). */
export function execForm(args: string): string[] {
  const json = args.replace(/^(--\S+\s+)*(CMD\s+)?/, '');
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed as string[];
}

/** The last value an instruction of the final stage gives (`USER`, `CMD`…), undefined when none does. */
export function lastOf(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).pop()?.args;
}

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  number: number;
}

/**
 * A YAML subset: block mappings and lists, `key: &anchor` on a block and `<<: *anchor` (shallow merge, as YAML's
 * merge key), scalars (plain, double-quoted, numbers, true/false), flow lists of double-quoted strings and `{}`.
 * Whole-line comments only.
 */
export function parseYaml(text: string): Yaml {
  const lines: Line[] = text
    .split('\n')
    .map((raw, index) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim(), number: index + 1 }))
    .filter((line) => line.text !== '' && !line.text.startsWith('#'));
  const anchors = new Map<string, Yaml>();
  let at = 0;

  const fail = (line: Line, why: string): never => {
    throw new Error(`compose line ${line.number}: ${why}: ${line.text}`);
  };

  const scalar = (raw: string, line: Line): Yaml => {
    if (raw.includes(' #')) fail(line, 'inline comments are not read');
    if (raw.startsWith('*')) {
      if (!anchors.has(raw.slice(1))) fail(line, `unknown anchor ${raw}`);
      return anchors.get(raw.slice(1))!;
    }
    if (raw.startsWith('"') || raw.startsWith('[')) {
      try {
        return JSON.parse(raw) as Yaml;
      } catch {
        return fail(line, 'not a JSON string or list of strings');
      }
    }
    if (raw === '{}') return {};
    if (/^[{'&|>!%@`]/.test(raw)) fail(line, 'unsupported YAML');
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
    if (['yes', 'no', 'on', 'off', 'null', '~'].includes(raw.toLowerCase())) fail(line, 'ambiguous scalar: quote it');
    return raw;
  };

  const block = (indent: number): Yaml => {
    const first = lines[at];
    if (first.text.startsWith('- ') || first.text === '-') {
      const list: Yaml[] = [];
      while (at < lines.length && lines[at].indent === indent && lines[at].text.startsWith('- ')) {
        const line = lines[at++];
        const item = line.text.slice(2).trim();
        if (/^[^"[]*:\s/.test(item) || item.endsWith(':')) fail(line, 'mappings inside lists are not read');
        list.push(scalar(item, line));
      }
      return list;
    }
    const map: { [key: string]: Yaml } = {};
    // Keys merged from an anchor may be overridden by the mapping's own keys; any other repeat is an error.
    const fromAnchor = new Set<string>();
    while (at < lines.length && lines[at].indent === indent) {
      const line = lines[at++];
      const match = /^("[^"]+"|[^\s:"]+):(?:\s+(.*))?$/.exec(line.text);
      if (!match) fail(line, 'expected key: value');
      const key = match![1].startsWith('"') ? (JSON.parse(match![1]) as string) : match![1];
      let rest = match![2]?.trim() ?? '';
      let anchor: string | undefined;
      if (rest.startsWith('&')) {
        anchor = rest.slice(1);
        rest = '';
      }
      let value: Yaml;
      if (rest === '') {
        const next = lines[at];
        value = next && next.indent > indent ? block(next.indent) : null;
      } else {
        value = scalar(rest, line);
      }
      if (anchor) anchors.set(anchor, value);
      if (key === '<<') {
        if (!rest.startsWith('*') || typeof value !== 'object' || value === null || Array.isArray(value)) fail(line, '<< takes *anchor of a mapping');
        for (const [k, v] of Object.entries(value as object)) {
          if (k in map) continue;
          map[k] = v as Yaml;
          fromAnchor.add(k);
        }
        continue;
      }
      if (key in map && !fromAnchor.has(key)) fail(line, `duplicate key ${key}`);
      fromAnchor.delete(key);
      map[key] = value;
    }
    if (at < lines.length && lines[at].indent > indent) fail(lines[at], 'unexpected indentation');
    return map;
  };

  const result = block(0);
  if (at < lines.length) fail(lines[at], 'unread line');
  return result;
}

/** `case` arms of the entrypoint script: command → the words after `exec` (or undefined when it does not exec). */
export function entrypointCommands(script: string): Map<string, string[] | undefined> {
  const body = /case "\$command" in\n([\s\S]*?)\nesac/.exec(script)?.[1];
  if (!body) throw new Error('no case "$command" in … esac');
  const arms = new Map<string, string[] | undefined>();
  for (const arm of body.split(/;;\s*\n/)) {
    const match = /^\s*([^)]+)\)\s*([\s\S]*)$/.exec(arm);
    if (!match) continue;
    const exec = /(?:^|\s)exec ([^\n;]+)/.exec(match[2]);
    for (const name of match[1].split('|').map((n) => n.trim())) arms.set(name, exec ? exec[1].trim().split(/\s+/) : undefined);
  }
  return arms;
}
