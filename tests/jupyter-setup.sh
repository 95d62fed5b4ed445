#!/usr/bin/env bash
# Installs what running the notebooks in real Jupyter with the real .NET Interactive kernels needs
# (tests/AutoGradRnn.Notebooks.Tests/RealJupyterTests.cs). Idempotent, and quick when all is present:
#   - Debian's Jupyter (nbconvert/nbclient, run as /usr/bin/python3 -m nbconvert),
#   - the .NET Interactive tool pinned in .config/dotnet-tools.json (dotnet tool restore),
#   - the kernels .net-csharp and .net-fsharp, registered with `dotnet interactive jupyter install`.
# The registered kernel command is `dotnet interactive jupyter ...`: `dotnet interactive` resolves to
# the local tool from any folder under the repository (the notebooks run from notebooks/), so no
# global tool and no PATH entry is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

py=/usr/bin/python3   # Debian's Python, which has the Debian packages (python3 on PATH may be a shim)
packages=(python3-nbclient python3-nbconvert jupyter-client python3-ipykernel)
kernels=(.net-csharp .net-fsharp)
tool_version=$(sed -n '/microsoft.dotnet-interactive/,/version/s/.*"version": *"\([^"]*\)".*/\1/p' .config/dotnet-tools.json)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "tests/jupyter-setup.sh: installing ${missing[*]} (apt)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "tests/jupyter-setup.sh: real Jupyter needs Debian's packages: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

dotnet tool restore >/dev/null

# The kernel command must run the pinned tool from the notebooks' folder (the kernel's working folder).
actual=$(cd notebooks && dotnet interactive --version 2>/dev/null | head -n 1) || true
if [ "${actual%%+*}" != "$tool_version" ]; then
  echo "tests/jupyter-setup.sh: 'dotnet interactive --version' in notebooks/ gives '$actual', expected $tool_version" >&2
  exit 1
fi

# Registered, and registered as `dotnet interactive jupyter ...` (not an older or absolute command)?
registered() {
  "$py" -m jupyter kernelspec list --json 2>/dev/null | "$py" -c '
import json, os, sys
specs = json.load(sys.stdin)["kernelspecs"]
for name in sys.argv[1:]:
    if name not in specs or specs[name]["spec"]["argv"][:3] != ["dotnet", "interactive", "jupyter"]:
        sys.exit(1)
' "${kernels[@]}"
}
if ! registered; then
  echo "tests/jupyter-setup.sh: registering the .NET Interactive kernels (dotnet interactive jupyter install)"
  # The installer calls `jupyter kernelspec`: make it Debian's.
  PATH="/usr/bin:$PATH" dotnet interactive jupyter install >/dev/null
  if ! registered; then
    echo "tests/jupyter-setup.sh: ${kernels[*]} still missing from '$py -m jupyter kernelspec list'" >&2
    exit 1
  fi
fi
