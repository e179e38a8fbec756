#!/usr/bin/env bash
# Regenerates the typed client (ProductCatalog.Client/Generated) from the committed OpenAPI
# document, ProductCatalog.Api/ProductCatalog.Api.json, with the Kiota version pinned in
# .config/dotnet-tools.json. Run it after a build changed the document, and commit both:
#   ProductCatalog.Client/generate.sh
# TypedClientTests fails while the committed client differs from what this script writes.
# An optional argument writes somewhere else (that test uses a temporary directory).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/ProductCatalog.Client/Generated}"
cd "$root"

# Offline and quiet: no update check against GitHub, no tips.
export KIOTA_UPDATE__DISABLED=true KIOTA_TUTORIAL_ENABLED=false DOTNET_NOLOGO=1

dotnet tool restore >/dev/null
dotnet kiota generate \
  --language CSharp \
  --openapi ProductCatalog.Api/ProductCatalog.Api.json \
  --class-name CatalogClient \
  --namespace-name ProductCatalog.Client \
  --output "$out" \
  --exclude-backward-compatible \
  --clean-output \
  --log-level Warning
# Kiota's own log of this run is not part of the client.
rm -f "$out/.kiota.log"
