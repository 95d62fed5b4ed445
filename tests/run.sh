#!/usr/bin/env bash
# The README's test command. Installs what the tests need that NuGet does not bring:
#   - Debian's chromium (the docs-site browser test drives it through Playwright),
#   - plotly.js, KaTeX and highlight.js from npm (pinned in docs/site/package.json; copied into the built site),
#   - Debian's Jupyter and the .NET Interactive kernels (tests/jupyter-setup.sh; the notebooks also run
#     in real Jupyter),
# then runs every test project in the solution, writing TRX results to TestResults/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "tests/run.sh: installing chromium (apt)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
  else
    echo "tests/run.sh: the browser test needs Debian's chromium: sudo apt-get install -y chromium fonts-liberation" >&2
    exit 2
  fi
fi

if [ ! -f docs/site/node_modules/plotly.js-dist-min/plotly.min.js ] || [ ! -d docs/site/node_modules/katex/dist ] \
   || [ ! -f docs/site/node_modules/@highlightjs/cdn-assets/highlight.min.js ]; then
  echo "tests/run.sh: installing plotly.js, KaTeX and highlight.js (npm)"
  npm install --prefix docs/site --no-package-lock --no-audit --no-fund --loglevel=error
fi

bash tests/jupyter-setup.sh

dotnet test AutoGradRnn.sln -c Release --logger trx --results-directory TestResults "$@"
