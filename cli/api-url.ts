/**
 * Where the Order API is: `--api-url`, else `--stack NAME` (its CloudFormation outputs), else
 * ORDERS_API_URL, else the outputs `npm start` writes for the local cloud. Flags come before the
 * environment, as usual; each source is read only when the ones before it are absent.
 */
import * as z from 'zod/mini';
import { isHttpUrl, UsageError, type CommandName, type GlobalOptions } from './args';

export const API_URL_OUTPUT = 'ApiUrl';
export const API_URL_VARIABLE = 'ORDERS_API_URL';

export interface ApiLocation {
  readonly url: string;
  /** Where the URL came from, to name it in errors. */
  readonly source: string;
}

/** A source of the URL was found but does not hold a usable one. */
export class ApiUrlError extends Error {
  override readonly name = 'ApiUrlError';
}

export interface ApiUrlSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `.local-cloud/outputs.json`, as written by `npm start`. */
  readonly localOutputsFile: string;
  /** The file's text, or undefined when there is no such file. */
  readonly readFile: (path: string) => string | undefined;
  /** A deployed stack's outputs, by output key. */
  readonly stackOutputs: (stackName: string, region?: string) => Promise<Readonly<Record<string, string>>>;
}

const outputsSchema = z.record(z.string(), z.unknown());

export async function resolveApiUrl(options: GlobalOptions, sources: ApiUrlSources, command?: CommandName): Promise<ApiLocation> {
  if (options.apiUrl !== undefined) return { url: trimSlash(options.apiUrl), source: '--api-url' };
  if (options.stack !== undefined) {
    const outputs = await sources.stackOutputs(options.stack, options.region);
    const url = outputs[API_URL_OUTPUT];
    const source = `the ${API_URL_OUTPUT} output of stack ${options.stack}`;
    if (url === undefined) {
      const keys = Object.keys(outputs);
      throw new ApiUrlError(`stack ${options.stack} has no ${API_URL_OUTPUT} output (it has ${keys.length > 0 ? keys.join(', ') : 'no outputs'})`);
    }
    return checked(url, source);
  }
  const fromEnv = sources.env[API_URL_VARIABLE];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isHttpUrl(fromEnv)) throw new UsageError(`${API_URL_VARIABLE} must be an http(s) URL, not "${fromEnv}"`, command);
    return { url: trimSlash(fromEnv), source: API_URL_VARIABLE };
  }
  const text = sources.readFile(sources.localOutputsFile);
  if (text !== undefined) {
    const file = sources.localOutputsFile;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiUrlError(`${file} is not JSON; start the local cloud again with \`npm start\``);
    }
    const parsed = outputsSchema.safeParse(json);
    const url = parsed.success ? parsed.data[API_URL_OUTPUT] : undefined;
    if (typeof url !== 'string') throw new ApiUrlError(`${file} has no "${API_URL_OUTPUT}" string; start the local cloud again with \`npm start\``);
    return checked(url, file);
  }
  throw new UsageError(
    `no Order API URL: pass --api-url URL, or --stack NAME for a deployed stack, or set ${API_URL_VARIABLE}, ` +
      `or start the local cloud with \`npm start\` (it writes ${sources.localOutputsFile})`,
    command,
  );
}

function checked(url: string, source: string): ApiLocation {
  if (!isHttpUrl(url)) throw new ApiUrlError(`${source} is not an http(s) URL: "${url}"`);
  return { url: trimSlash(url), source };
}

/** API Gateway's URL output ends with a slash; paths are appended to it. */
function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
