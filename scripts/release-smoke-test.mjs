// Release smoke test: installs the packages as a user would get them from npm, outside the monorepo.
//
// 1. `pnpm pack` every workspace package (workspace: ranges become real version ranges).
// 2. Publish the tarballs to a throw-away local registry (verdaccio on 127.0.0.1; everything else it
//    proxies from the machine's npm registry, @codetether/* it never looks up upstream).
// 3. `npm install --global` the CLI and the server into a temporary prefix with plain npm, then run
//    `codetether --version`, `codetether demo` and `codetether-server --version` from there, and (on
//    glibc) check that the server's optional koffi dependency installed and binds `malloc_trim`.
// 4. Compile a strict TypeScript consumer (`strict`, `skipLibCheck: false`, NodeNext) that imports every
//    library package's types, installed from the same registry.
//
// Usage: node scripts/release-smoke-test.mjs [--keep]   (after `pnpm build`; --keep leaves the temp folder)
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const keep = process.argv.includes('--keep');
const STEP_TIMEOUT_MS = 5 * 60 * 1000;

/** Every entry point (packages and their subpaths) a TypeScript consumer imports, with a few of its names. */
const TYPED_ENTRY_POINTS = [
  ['@codetether/responses-protocol', ['createResponsesSseParser', 'createResponsesEventParser']],
  ['@codetether/responses-protocol/schemas', ['validateResponsesStreamEvent']],
  ['@codetether/oauth-pkce', ['createPkcePair', 'createFileCredentialStore']],
  ['@codetether/oauth-pkce/constants', ['DEFAULT_ISSUER']],
  ['@codetether/credential-store-redis', ['createRedisCredentialStore', 'RedisCredentialStoreError']],
  ['@codetether/transport-http', ['createHttpTransport']],
  ['@codetether/transport-ws', ['createWebSocketTransport']],
  ['@codetether/provider-codex', ['createCodexProvider']],
  ['@codetether/provider-codex/configuration', ['resolveEndpoints', 'ENVIRONMENT_VARIABLES']],
  ['@codetether/provider-codex/credential-store', ['openCredentialStore']],
  ['@codetether/ai-sdk-provider', ['createCodetether', 'codetether']],
  ['@codetether/emulator', ['startEmulator']],
  ['@codetether/server', ['startGatewayServer']],
];

/** `@scope/name/subpath` → `@scope/name`. */
function packageNameOf(specifier) {
  return specifier.split('/').slice(0, 2).join('/');
}

function log(message) {
  process.stdout.write(`[release-smoke-test] ${message}\n`);
}

/**
 * Runs a command and resolves with its output; rejects with the output when it fails or times out.
 *
 * @param {string} command
 * @param {string[]} parameters
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 */
function run(command, parameters, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, parameters, {
      cwd: options.cwd ?? repositoryRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    child.stderr.on('data', (data) => {
      output += data;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${parameters.join(' ')} exited ${code ?? signal}:\n${output}`));
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForRegistry(url, registryProcess) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (registryProcess.exitCode !== null) throw new Error('The local registry exited during start-up.');
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The local registry did not answer at ${url} within 30 s.`);
}

async function workspacePackageFolders() {
  const folders = [];
  for (const group of ['packages', 'apps']) {
    for (const name of await readdir(join(repositoryRoot, group))) {
      const folder = join(repositoryRoot, group, name);
      const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
      if (manifest.private !== true) folders.push({ folder, name: manifest.name });
    }
  }
  return folders;
}

/**
 * Until a package is first released (version 0.0.0), the pending changesets must take it to 0.1.0:
 * not 0.0.1 (a patch-only first release) and not 1.0.0 (a major changeset slipped in).
 */
async function checkFirstReleaseVersions(workspace, packages) {
  const statusFile = join(workspace, 'changeset-status.json');
  await run('pnpm', ['exec', 'changeset', 'status', '--output', statusFile]);
  const { releases } = JSON.parse(await readFile(statusFile, 'utf8'));
  for (const { folder, name } of packages) {
    const { version } = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
    if (version !== '0.0.0') continue;
    const release = releases.find((candidate) => candidate.name === name);
    if (release?.newVersion !== '0.1.0') {
      throw new Error(
        `The first release of ${name} would be ${release?.newVersion ?? 'nothing'}, not 0.1.0.`,
      );
    }
  }
  log('the pending changesets release every unreleased package as 0.1.0');
}

async function main() {
  const workspace = await mkdtemp(join(tmpdir(), 'codetether-release-smoke-'));
  const tarballs = join(workspace, 'tarballs');
  const prefix = join(workspace, 'prefix');
  const home = join(workspace, 'home');
  const npmConfig = join(workspace, 'npmrc');
  let registryProcess;
  try {
    const packages = await workspacePackageFolders();
    await checkFirstReleaseVersions(workspace, packages);
    log(`packing ${packages.length} packages`);
    for (const { folder } of packages) {
      await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: folder });
    }
    for (const tarball of await readdir(tarballs)) {
      const listing = await run('tar', ['-tzf', join(tarballs, tarball)]);
      for (const required of ['package/LICENSE', 'package/README.md', 'package/package.json']) {
        if (!listing.split('\n').includes(required)) throw new Error(`${tarball} has no ${required}.`);
      }
    }

    // npm may print warnings (e.g. about pnpm's npm_config_* variables) around the value.
    const upstream =
      (await run('npm', ['config', 'get', 'registry']))
        .split('\n')
        .find((line) => /^https?:\/\//.test(line)) ?? 'https://registry.npmjs.org/';
    const port = await freePort();
    const registry = `http://127.0.0.1:${port}/`;
    await writeFile(
      join(workspace, 'registry.yaml'),
      [
        `storage: ${join(workspace, 'storage')}`,
        'uplinks:',
        '  upstream:',
        `    url: ${upstream}`,
        'packages:',
        "  '@codetether/*':",
        '    access: $all',
        '    publish: $all',
        "  '**':",
        '    access: $all',
        '    publish: $all',
        '    proxy: upstream',
        'log: { type: stdout, format: pretty, level: error }',
        '',
      ].join('\n'),
    );
    const host = registry.replace(/^http:/, '');
    await writeFile(npmConfig, `registry=${registry}\n${host}:_authToken=release-smoke-test\n`);
    log(`starting a local registry at ${registry}`);
    registryProcess = spawn(
      process.execPath,
      [
        join(repositoryRoot, 'node_modules/verdaccio/bin/verdaccio'),
        '--config',
        join(workspace, 'registry.yaml'),
        '--listen',
        `127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let registryOutput = '';
    registryProcess.stdout.on('data', (data) => {
      registryOutput += data;
    });
    registryProcess.stderr.on('data', (data) => {
      registryOutput += data;
    });
    await waitForRegistry(registry, registryProcess).catch((error) => {
      throw new Error(`${error.message}\n${registryOutput}`);
    });

    const npmEnvironment = {
      ...process.env,
      npm_config_userconfig: npmConfig,
      npm_config_registry: registry,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    for (const tarball of await readdir(tarballs)) {
      await run('npm', ['publish', join(tarballs, tarball), '--access', 'public'], { env: npmEnvironment });
    }
    log('published every tarball to the local registry');

    await run('npm', ['install', '--global', '--prefix', prefix, '@codetether/cli', '@codetether/server'], {
      env: npmEnvironment,
    });
    const userEnvironment = {
      PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: home,
      CODETETHER_HOME: join(home, '.codetether'),
    };
    const cliVersion = (
      await run('codetether', ['--version'], { env: userEnvironment, cwd: workspace })
    ).trim();
    log(`codetether --version → ${cliVersion}`);
    const demo = await run('codetether', ['demo'], { env: userEnvironment, cwd: workspace });
    if (!/demo/i.test(demo)) throw new Error(`codetether demo printed something unexpected:\n${demo}`);
    log('codetether demo → ok');
    const serverVersion = (
      await run('codetether-server', ['--version'], { env: userEnvironment, cwd: workspace })
    ).trim();
    log(`codetether-server --version → ${serverVersion}`);
    // The gateway's idle release binds glibc's malloc_trim through its optional koffi dependency:
    // plain npm must have installed it (and its prebuilt binary) where the server resolves it.
    if (process.report.getReport().header.glibcVersionRuntime !== undefined) {
      await run(
        process.execPath,
        [
          '--input-type=module',
          '--eval',
          "const { default: koffi } = await import('koffi'); koffi.load('libc.so.6').func('int malloc_trim(size_t pad)')(0);",
        ],
        { env: userEnvironment, cwd: join(prefix, 'lib', 'node_modules', '@codetether', 'server') },
      );
      log("the server's optional malloc_trim binding (koffi) is installed and loads");
    }

    const consumer = join(workspace, 'consumer');
    await run('mkdir', ['-p', consumer]);
    await writeFile(
      join(consumer, 'package.json'),
      `${JSON.stringify({ name: 'strict-consumer', private: true, type: 'module' }, null, 2)}\n`,
    );
    const typesNode = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8'))
      .devDependencies['@types/node'];
    await run(
      'npm',
      [
        'install',
        ...new Set(TYPED_ENTRY_POINTS.map(([specifier]) => packageNameOf(specifier))),
        `@types/node@${typesNode}`,
      ],
      { cwd: consumer, env: npmEnvironment },
    );
    const source = TYPED_ENTRY_POINTS.map(
      ([name, exports], index) =>
        `import { ${exports.map((exported) => `${exported} as ${exported}${index}`).join(', ')} } from '${name}';\n` +
        exports.map((exported) => `void ${exported}${index};\n`).join(''),
    ).join('');
    await writeFile(join(consumer, 'index.ts'), source);
    await writeFile(
      join(consumer, 'tsconfig.json'),
      `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023', 'DOM'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            noEmit: true,
            types: ['node'],
          },
          files: ['index.ts'],
        },
        null,
        2,
      )}\n`,
    );
    await run(join(repositoryRoot, 'node_modules/.bin/tsc'), ['-p', join(consumer, 'tsconfig.json')]);
    log(
      `a strict TypeScript consumer of ${TYPED_ENTRY_POINTS.length} entry points compiles (skipLibCheck: false)`,
    );
    log('every check passed');
  } finally {
    registryProcess?.kill('SIGTERM');
    if (keep) log(`kept ${workspace}`);
    else await rm(workspace, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`[release-smoke-test] FAILED: ${error instanceof Error ? error.message : error}\n`);
  process.exitCode = 1;
});
