# Source this file (". scripts/node-env.sh") to get a Node.js the project supports on PATH.
# When the machine's node is older than 22.13, bin/node-runtime.js installs Node 24 once from the npm
# registry's `node` package (into ~/.cache/tollgate-node) and its folder is put first on PATH.
tollgate_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
}
if ! tollgate_node_ok; then
  if ! command -v node >/dev/null 2>&1; then
    echo "node-env: no node on PATH; install Node.js 22.13 or newer" >&2
    return 1 2>/dev/null || exit 1
  fi
  tollgate_root="$(cd "$(dirname "${BASH_SOURCE[0]:-scripts/node-env.sh}")/.." && pwd)"
  if tollgate_node_bin="$(node "$tollgate_root/bin/node-runtime.js")"; then
    PATH="$tollgate_node_bin:$PATH"
    export PATH
  fi
  tollgate_node_ok || { echo "node-env: could not provide Node >= 22.13" >&2; return 1 2>/dev/null || exit 1; }
fi
