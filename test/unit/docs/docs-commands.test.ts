/**
 * The docs as specifications. Every command in a ```sh block of docs/**\/*.md runs on this
 * machine as written (no AWS, loopback only) and exits 0; every relative link resolves; every
 * excerpt of a source file still matches that file.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const DOCS = path.join(ROOT, 'docs');
const THIS_TEST = path.relative(ROOT, __filename).split(path.sep).join('/');
/** Each command's bound; the slowest, `npm start -- --once`, synthesizes first when cdk.out is stale. */
const COMMAND_TIMEOUT_MS = 150_000;
const KILL_GRACE_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Reading the docs

interface Fence {
  readonly lang: string;
  readonly line: number;
  readonly body: readonly string[];
  /** The last non-blank line before the fence, outside any fence. */
  readonly intro: string;
}

interface Doc {
  readonly file: string;
  readonly relative: string;
  readonly fences: readonly Fence[];
  /** The text outside fenced blocks, line by line (fenced lines are blanked). */
  readonly prose: readonly string[];
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return markdownFiles(full);
      return entry.name.endsWith('.md') ? [full] : [];
    })
    .sort();
}

function readDoc(file: string): Doc {
  const lines = readFileSync(file, 'utf8').split('\n');
  const fences: Fence[] = [];
  const prose: string[] = [];
  let open: { marker: string; lang: string; line: number; body: string[]; intro: string } | undefined;
  let intro = '';
  lines.forEach((line, i) => {
    const fence = /^\s{0,3}(`{3,}|~{3,})\s*([^\s`~]*)/.exec(line);
    if (open) {
      prose.push('');
      if (fence?.[1] && fence[1][0] === open.marker[0] && fence[1].length >= open.marker.length && line.trim() === fence[1]) {
        fences.push({ lang: open.lang, line: open.line, body: open.body, intro: open.intro });
        open = undefined;
      } else {
        open.body.push(line);
      }
      return;
    }
    if (fence?.[1]) {
      open = { marker: fence[1], lang: (fence[2] ?? '').toLowerCase(), line: i + 1, body: [], intro };
      prose.push('');
      return;
    }
    prose.push(line);
    if (line.trim() !== '') intro = line;
  });
  return { file, relative: path.relative(ROOT, file).split(path.sep).join('/'), fences, prose };
}

const docs = markdownFiles(DOCS).map(readDoc);

// ---------------------------------------------------------------------------------------------
// Runnable commands

/** The commands of the ```sh blocks, each once, with the docs that give it, in order of appearance. */
function runnableCommands(): { command: string; docs: string[] }[] {
  const found = new Map<string, Set<string>>();
  for (const doc of docs) {
    for (const fence of doc.fences.filter((f) => f.lang === 'sh')) {
      const joined = fence.body.join('\n').replace(/\\\n\s*/g, '');
      for (const line of joined.split('\n').map((l) => l.trim())) {
        if (line === '' || line.startsWith('#')) continue;
        found.set(line, (found.get(line) ?? new Set()).add(doc.relative));
      }
    }
  }
  return [...found].map(([command, where]) => ({ command, docs: [...where] }));
}

const NOT_LOCAL: readonly [RegExp, string][] = [
  [/\bnpm\s+(install|i|ci|test|t)\b|\bnpm\s+run\s+test\b/, 'installs packages or runs the whole test suite'],
  [/\bcdk(local)?\s+(deploy|bootstrap|destroy)\b|\bnpm\s+run\s+deploy/, 'needs AWS (put it in a text block)'],
  [/(^|[\s;&|(])aws\s/, 'runs the AWS CLI (put it in a text block)'],
  [/\bdocker\b/, 'needs Docker (put it in a text block)'],
];
/** Jest options whose next token is a value, not a test path. */
const JEST_VALUE_OPTIONS = new Set(['-t', '--testNamePattern', '-c', '--config', '--selectProjects', '-w', '--maxWorkers', '--testPathPattern']);

/** Why a command may not be a runnable one, or undefined if it may. */
function whyNotRunnable(command: string): string | undefined {
  for (const [pattern, reason] of NOT_LOCAL) if (pattern.test(command)) return reason;
  for (const [, host] of command.matchAll(/\bhttps?:\/\/(\[[^\]]*\]|[^/\s:'"]+)/g)) {
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host ?? '')) return `reaches ${host}, not a loopback address`;
  }
  const tokens = command.split(/\s+/);
  const jest = tokens.indexOf('jest');
  if (jest >= 0) {
    const paths = tokens.slice(jest + 1).filter((t, i, rest) => !t.startsWith('-') && !JEST_VALUE_OPTIONS.has(rest[i - 1] ?? ''));
    if (paths.length === 0) return 'runs every test (name the test files or folders)';
    if (paths.some((p) => new RegExp(p).test(THIS_TEST))) return `runs ${THIS_TEST} itself`;
  }
  return undefined;
}

interface Run {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly outputTail: string;
}

/** The environment a reader's shell would have, with no way to reach AWS. */
function localEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AWS_|JEST_)/.test(name) && name !== 'NODE_ENV'));
  return { ...env, CI: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
}

/** Runs one line with bash in its own process group, bounded in time; nothing it started outlives it. */
function run(command: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env: localEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // the group is already gone
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      group('SIGTERM');
      setTimeout(() => group('SIGKILL'), KILL_GRACE_MS).unref();
    }, COMMAND_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      group('SIGKILL');
      resolve({ exitCode, signal, timedOut, outputTail: output });
    });
  });
}

const commands = runnableCommands();

describe('the runnable commands of the docs (```sh blocks)', () => {
  it('are there, and are all local: no AWS, no Docker, no install, no network beyond loopback, never the whole suite', () => {
    // given
    const found = commands.map(({ command }) => command);
    // then
    expect(found).toEqual(expect.arrayContaining(['npm start -- --in-memory --once']));
    expect(commands.map(({ command }) => ({ command, problem: whyNotRunnable(command) }))).toEqual(
      commands.map(({ command }) => ({ command, problem: undefined })),
    );
  });

  it.each(commands.map(({ command, docs: where }) => [command, where.join(', ')]))(
    '`%s` (from %s) exits 0',
    async (command) => {
      // given
      expect(whyNotRunnable(command)).toBeUndefined();
      // when
      const result = await run(command);
      // then
      expect({ command, ...result }).toMatchObject({ command, exitCode: 0, timedOut: false });
    },
    COMMAND_TIMEOUT_MS + 2 * KILL_GRACE_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// Links

interface Link {
  readonly doc: Doc;
  readonly line: number;
  readonly target: string;
}

function links(doc: Doc): Link[] {
  const found: Link[] = [];
  doc.prose.forEach((text, i) => {
    const line = text.replace(/(`+)[^`]*?\1/g, '');
    for (const match of line.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)) {
      found.push({ doc, line: i + 1, target: match[1] as string });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(line);
    if (definition) found.push({ doc, line: i + 1, target: definition[1] as string });
  });
  return found;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of readDoc(file).prose) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] as string).replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** What is wrong with a link, or undefined if it resolves. External links are not checked. */
function brokenLink({ doc, target }: Link): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const [filePart = '', anchor = ''] = target.split('#', 2);
  const pathPart = decodeURIComponent(filePart.split('?')[0] as string);
  if (pathPart.startsWith('/')) return 'is absolute: make it relative to the doc';
  const resolved = pathPart === '' ? doc.file : path.resolve(path.dirname(doc.file), pathPart);
  if (path.relative(ROOT, resolved).startsWith('..')) return 'points outside the repository';
  if (!existsSync(resolved)) return `points to ${path.relative(ROOT, resolved)}, which does not exist`;
  if (anchor !== '' && resolved.endsWith('.md') && !anchors(resolved).has(decodeURIComponent(anchor))) {
    return `names #${anchor}, which is no heading of ${path.relative(ROOT, resolved)}`;
  }
  return undefined;
}

describe('the links of the docs', () => {
  it.each(docs.map((doc) => [doc.relative, doc]))('%s: every relative link resolves, anchors included', (_, doc) => {
    // given
    const found = links(doc as Doc);
    // then
    const broken = found.flatMap((link) => {
      const problem = brokenLink(link);
      return problem === undefined ? [] : [`line ${link.line}: ${link.target} ${problem}`];
    });
    expect(broken).toEqual([]);
  });

  it('link to the code they describe', () => {
    const targets = docs.flatMap(links).map((link) => link.target);
    expect(targets.filter((t) => t.includes('lambdas/')).length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Excerpts

interface Excerpt {
  readonly doc: Doc;
  readonly line: number;
  readonly source: string;
  readonly body: readonly string[];
}

/** A ts block whose intro ends with a link to a source file and a colon quotes that file. */
function excerpts(doc: Doc): Excerpt[] {
  return doc.fences.flatMap((fence) => {
    const source = /\]\(([^)\s#]+)(?:#[^)\s]*)?\)\s*:\s*$/.exec(fence.intro)?.[1];
    if (!['ts', 'typescript'].includes(fence.lang) || source === undefined || source.endsWith('.md')) return [];
    return [{ doc, line: fence.line, source: path.resolve(path.dirname(doc.file), source), body: fence.body }];
  });
}

/** The parts between `// …` elisions, each a run of lines, compared without their indentation. */
function missingParts(excerpt: Excerpt): string[] {
  const file = readFileSync(excerpt.source, 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const parts: string[][] = [[]];
  for (const line of excerpt.body) {
    if (/^\s*\/\/\s*(…|\.\.\.)\s*$/.test(line)) parts.push([]);
    else parts[parts.length - 1]?.push(line.trim());
  }
  return parts
    .map((part) => part.join('\n').trim().split('\n'))
    .filter((part) => part.join('') !== '')
    .filter((part) => !file.some((_, i) => part.every((line, k) => file[i + k] === line)))
    .map((part) => part[0] as string);
}

const allExcerpts = docs.flatMap(excerpts);

describe('the excerpts of the docs', () => {
  it.each(allExcerpts.map((e) => [`${e.doc.relative}:${e.line}`, path.relative(ROOT, e.source), e]))(
    '%s quotes %s as it is',
    (_, __, excerpt) => {
      // given
      const quoted = excerpt as Excerpt;
      expect(existsSync(quoted.source)).toBe(true);
      // then: each part appears in the file, line after line (first lines of missing parts listed)
      expect(missingParts(quoted)).toEqual([]);
    },
  );
});
