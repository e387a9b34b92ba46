# Source this file (". scripts/node-env.sh") to get a Node.js the project supports on PATH.
# When the machine's node is older than 22.13, Node 24 is installed once from the npm
# registry's `node` package into ~/.cache/tollgate-node and put first on PATH.
tollgate_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
}
if ! tollgate_node_ok; then
  TOLLGATE_NODE_DIR="${TOLLGATE_NODE_DIR:-$HOME/.cache/tollgate-node}"
  if [ ! -x "$TOLLGATE_NODE_DIR/node_modules/.bin/node" ]; then
    echo "node-env: installing Node 24 from the npm registry into $TOLLGATE_NODE_DIR" >&2
    mkdir -p "$TOLLGATE_NODE_DIR"
    (cd "$TOLLGATE_NODE_DIR" && npm init -y >/dev/null 2>&1 && npm install --no-audit --no-fund --loglevel=error node@24 >&2)
  fi
  PATH="$TOLLGATE_NODE_DIR/node_modules/.bin:$PATH"
  export PATH
  tollgate_node_ok || { echo "node-env: could not provide Node >= 22.13" >&2; return 1 2>/dev/null || exit 1; }
fi
