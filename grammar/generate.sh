#!/usr/bin/env bash
# Regenerates the committed C# parser from StreamSql.g4 (run after editing the grammar).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../src/Parser/Generated"
rm -rf "$out"
mkdir -p "$out"
cd "$here"
npx --yes antlr-ng@1.0.10 -Dlanguage=CSharp -p StreamSql.Parser.Generated --generate-visitor true --generate-listener false -o "$out" StreamSql.g4
# antlr-ng writes helper files next to the sources; keep only the C# code.
find "$out" -type f ! -name '*.cs' -delete
