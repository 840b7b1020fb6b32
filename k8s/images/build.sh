#!/usr/bin/env bash
# Builds the four app images with the .NET SDK's own container support, as OCI tarballs (no Docker daemon needed):
#   k8s/images/build.sh OUT_DIR                  base: mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
#   k8s/images/build.sh --offline-base OUT_DIR   base: a distroless Debian runtime-deps made here (see README.md)
# Load one into a cluster's runtime or registry with e.g. `skopeo copy oci-archive:OUT_DIR/daprchat-main.tar docker://REGISTRY/daprchat-main:TAG`.
set -euo pipefail
cd "$(dirname "$0")/../.."

offline=false
if [ "${1:-}" = "--offline-base" ]; then offline=true; shift; fi
out="${1:?usage: k8s/images/build.sh [--offline-base] OUT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
publish_args=()
work="$(mktemp -d)"
registry_pid=""
cleanup() { if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

# Publish from a clean copy, so a build running in the work tree (tests, `up`) never shares bin/ or obj/ with this one.
mkdir -p "$work/src"
tar --exclude=bin --exclude=obj --exclude=.keys -cf - global.json Directory.Build.props Directory.Packages.props .editorconfig services shared \
  | tar -xf - -C "$work/src"

if $offline; then
  missing=()
  for tool in mmdebstrap umoci skopeo docker-registry; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh --offline-base must run as root (mmdebstrap --mode=root, and the base's files owned by 0 and 1654)" >&2
    exit 2
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "build.sh --offline-base needs Debian's ${missing[*]} (apt-get install mmdebstrap umoci skopeo docker-registry)" >&2
    exit 2
  fi
  # What runtime-deps holds, from Debian's packages, unpacked without maintainer scripts (no shell, no package manager),
  # like Google's distroless images; plus the non-root user 1654 and CA certificates.
  mmdebstrap --quiet --mode=root --variant=extract \
    --include=libc6,libgcc-s1,libstdc++6,libssl3,zlib1g,tzdata,ca-certificates,base-files,netbase \
    bookworm "$work/rootfs.tar" >/dev/null
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:base"
  umoci unpack --image "$work/oci:base" "$work/bundle" >/dev/null
  tar -xf "$work/rootfs.tar" -C "$work/bundle/rootfs"
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' > "$work/bundle/rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' > "$work/bundle/rootfs/etc/group"
  mkdir -p "$work/bundle/rootfs/etc/ssl/certs" "$work/bundle/rootfs/home/app" "$work/bundle/rootfs/tmp"
  chown 1654:1654 "$work/bundle/rootfs/home/app"
  chmod 1777 "$work/bundle/rootfs/tmp"
  cp /etc/ssl/certs/ca-certificates.crt "$work/bundle/rootfs/etc/ssl/certs/"
  umoci repack --image "$work/oci:base" "$work/bundle"
  umoci config --image "$work/oci:base" --os linux --architecture amd64 --config.user 1654 \
    --config.env APP_UID=1654 --config.env ASPNETCORE_HTTP_PORTS=8080 --config.env DOTNET_RUNNING_IN_CONTAINER=true

  # The SDK pulls its base from a registry only: serve this one on a free loopback port for the build's duration.
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$work/registry" "$port" > "$work/registry.yml"
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 50); do
    if skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:base" "docker://127.0.0.1:$port/daprchat/runtime-deps:bookworm" 2>/dev/null; then break; fi
    sleep 0.2
  done
  export DOTNET_CONTAINER_INSECURE_REGISTRIES="127.0.0.1:$port"
  publish_args+=("-p:ContainerBaseImage=127.0.0.1:$port/daprchat/runtime-deps:bookworm")
fi

for app in main chat notify summarize; do
  dotnet publish "$work/src/services/$app" -c Release -r linux-x64 --self-contained -t:PublishContainer -nologo -v:q \
    -p:ContainerArchiveOutputPath="$out/daprchat-$app.tar" "${publish_args[@]}"
done
echo "images: $(ls "$out")"
