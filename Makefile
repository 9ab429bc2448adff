# The README's two commands: `make run` (the demo blog, served by warren, sandboxed, on
# 127.0.0.1:8080) and `make test` (every test). Both install what they need on Debian 12 as root.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# System packages: build and run (libraries), test (tools the tests drive).
APT_BUILD := pkg-config gcc libc6-dev libseccomp-dev libcap-dev libcmark-gfm-dev \
             libcmark-gfm-extensions-dev zlib1g-dev libbrotli-dev libssl-dev
APT_TEST := strace
STATIC := .build-static
# Release builds link the Swift runtime and Foundation in (cmark, zlib, brotli, libcrypto stay
# Debian's shared libraries): loading 25 shared libraries was a fifth of quill's one-post rebuild.
# warren and quill share the flags, and with them one scratch path: their dependencies build once.
RELEASE := swift build -c release --static-swift-stdlib
QUILL := .build/release/quill
ENGINES := .build/test-engines
DEMO_ENGINES := .build/demo-engines
CONFIG ?= examples/warren.toml
# Where `make run` publishes the demo blog; policies/quill.toml binds this folder at /site.
SITE_OUT := out/site/public

.PHONY: help deps deps-test build engine test-engines demo-engines demo-site lint format test run bench

help:
	@echo "make run    build everything and serve the demo blog on http://127.0.0.1:8080"
	@echo "make test   run every test (lint, unit, integration; needs root)"

# Installs only what is missing, so a second run costs nothing and needs no network. A package
# removed but not purged still passes `dpkg -s`, so the status is checked.
INSTALLED = dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q ' ok installed$$'
deps:
	@missing=$$(for p in $(APT_BUILD); do $(INSTALLED) || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

deps-test: deps
	@missing=$$(for p in $(APT_TEST); do $(INSTALLED) || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# One invocation for every release product (warren, quill, and the small quill-engine and fuzz
# replay tool beside them) lets SwiftPM schedule warren's and quill's modules together; the static
# engine builds meanwhile in its own scratch path. On a fresh 2-core machine this is ~245 s where
# one product after the other took ~275 s.
build: deps demo-engines
	@$(MAKE) -s engine & engine=$$!; \
	$(RELEASE); rc=$$?; \
	wait $$engine || rc=1; \
	exit $$rc

# The engine is static (no dynamic libraries: a rootfs needs nothing but the binary and the site),
# so it builds in its own scratch path with its own flags.
engine: deps
	swift build -c release --product quill-engine --scratch-path $(STATIC) \
		--static-swift-stdlib -Xswiftc -static-executable

# Small static C engines the integration tests spawn (Tests/Engines/NAME.c -> $(ENGINES)/NAME).
test-engines: deps
	@mkdir -p $(ENGINES)
	@for f in Tests/Engines/*.c; do \
		[ -e "$$f" ] || continue; \
		n=$$(basename $$f .c); \
		cc -static -O2 -Wall -Wextra -Werror -o $(ENGINES)/$$n $$f || exit 1; \
	done

# The demo config's second engine: static C without libc (read, write, exit_group only).
demo-engines: deps
	@mkdir -p $(DEMO_ENGINES)
	cc -static -nostdlib -fno-stack-protector -O2 -Wall -Wextra -Werror \
		-o $(DEMO_ENGINES)/hello examples/engines/hello.c

lint:
	swift format lint --strict --recursive Package.swift Sources Tests

format:
	swift format --in-place --recursive Package.swift Sources Tests

test: deps-test lint test-engines engine
	swift build --build-tests
	swift test --skip-build
	.build/debug/QuillHTTPFuzz fuzz/http-request/*  # the fuzz corpus as regression inputs

# Builds the demo blog with quill and publishes it atomically (out/site/public -> public.<id>).
demo-site: build
	$(QUILL) build examples/blog --out $(SITE_OUT)

run: build demo-site
	exec .build/release/warren serve --config $(CONFIG)

# Benchmarks against nginx, tcpserver, xinetd and bwrap, and the build against Hugo (~8 minutes;
# ~12 from a fresh clone on a fresh machine, packages and building included; needs root). Writes
# bench/RESULTS.md and bench/results/RUN.tsv.
bench: deps
	BENCH_COMMAND="make bench" bench/bench.sh
