import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** What the runtime stage of the repository's Dockerfile runs and declares. */
export interface ContainerImage {
  /** The exec-form `ENTRYPOINT`. */
  entrypoint: string[];
  /** The exec-form `CMD` (empty when the stage has none). */
  command: string[];
  /** The exec-form command of `HEALTHCHECK … CMD [...]`. */
  healthcheck: string[];
  /** The `ENV` variables. */
  environment: Record<string, string>;
  /** The `WORKDIR`. */
  workdir: string;
  /** The `USER`. */
  user: string;
  /** The `VOLUME` paths. */
  volumes: string[];
  /** The `EXPOSE`d ports. */
  exposedPorts: number[];
}

interface Instruction {
  keyword: string;
  argument: string;
}

/** The instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function readInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (pending === '' && /^\s*(#.*)?$/.test(line)) continue;
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += `${line.replace(/\\\s*$/, '').trim()} `;
    if (continued) continue;
    const match = /^(\S+)\s+(.*)$/.exec(pending.trim());
    if (match !== null)
      instructions.push({ keyword: (match[1] ?? '').toUpperCase(), argument: match[2] ?? '' });
    pending = '';
  }
  return instructions;
}

/** Parses an exec-form (JSON array of strings) argument; the shell form is refused. */
export function parseExecForm(argument: string, what: string): string[] {
  const value: unknown = JSON.parse(argument);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${what} must be a JSON array of strings (exec form), got ${argument}`);
  }
  return value;
}

/**
 * Reads the last stage (the image that runs) of a Dockerfile.
 *
 * @param path - the Dockerfile
 */
export function readContainerImage(path: string): ContainerImage {
  const instructions = readInstructions(readFileSync(path, 'utf8'));
  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const image: ContainerImage = {
    entrypoint: [],
    command: [],
    healthcheck: [],
    environment: {},
    workdir: '/',
    user: 'root',
    volumes: [],
    exposedPorts: [],
  };
  for (const { keyword, argument } of instructions.slice(lastFrom + 1)) {
    if (keyword === 'ENTRYPOINT') image.entrypoint = parseExecForm(argument, 'ENTRYPOINT');
    if (keyword === 'CMD') image.command = parseExecForm(argument, 'CMD');
    if (keyword === 'HEALTHCHECK') {
      const command = /\bCMD\s+(\[.*\])$/.exec(argument)?.[1];
      if (command === undefined) throw new Error(`HEALTHCHECK must use CMD [...], got ${argument}`);
      image.healthcheck = parseExecForm(command, 'HEALTHCHECK CMD');
    }
    if (keyword === 'ENV') {
      for (const pair of argument.split(/\s+/).filter((part) => part !== '')) {
        const [name, ...value] = pair.split('=');
        if (name !== undefined && value.length > 0) image.environment[name] = value.join('=');
      }
    }
    if (keyword === 'WORKDIR') image.workdir = argument.trim();
    if (keyword === 'USER') image.user = argument.trim();
    if (keyword === 'VOLUME') image.volumes.push(...parseExecForm(argument, 'VOLUME'));
    if (keyword === 'EXPOSE')
      image.exposedPorts.push(...argument.split(/\s+/).map((port) => Number.parseInt(port, 10)));
  }
  return image;
}

/** The parts of a compose file's service the tests compare with the Dockerfile. */
export interface ComposeService {
  /** `healthcheck.test`. */
  healthcheck: string[];
  /** `ports`. */
  ports: string[];
  /** `volumes`. */
  volumes: string[];
  /** `environment` (map form). */
  environment: Record<string, string>;
}

/**
 * Reads one service of a compose file.
 *
 * @param path - the compose file
 * @param name - the service
 */
export function readComposeService(path: string, name: string): ComposeService {
  const document = parseYaml(readFileSync(path, 'utf8')) as {
    services?: Record<string, Partial<ComposeService> & { healthcheck?: { test?: unknown } }>;
  };
  const service = document.services?.[name];
  if (service === undefined) throw new Error(`${path} has no service ${name}`);
  return {
    healthcheck: parseExecForm(JSON.stringify(service.healthcheck?.test ?? null), 'healthcheck.test'),
    ports: service.ports ?? [],
    volumes: service.volumes ?? [],
    environment: service.environment ?? {},
  };
}
