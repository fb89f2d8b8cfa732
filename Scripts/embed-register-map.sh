#!/usr/bin/env bash
# Writes Sources/ConfigFiles/BuiltInRegisterMaps.swift from Config/pac3200.yaml, so the executables carry the map
# the repository shows. Run it after editing the YAML; a test fails until the two agree.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
text = open('Config/pac3200.yaml').read()
source = open('Sources/ConfigFiles/BuiltInRegisterMaps.swift').read()
head, _, rest = source.partition('#"""\n')
_, _, tail = rest.partition('"""#')
# The line break before a multi-line literal's closing delimiter is not part of the string: add one.
open('Sources/ConfigFiles/BuiltInRegisterMaps.swift', 'w').write(head + '#"""\n' + text + '\n"""#' + tail)
PY
