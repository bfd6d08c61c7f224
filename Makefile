# Kakehashi — developer entry points. See README.md.
GO ?= go
SCHEMAS ?= $(abspath ../shared/stix2-json-schemas)

.PHONY: run test lint bench build

## run: start the demo hub on 127.0.0.1:8080 with the embedded SQLite store
run:
	$(GO) run ./cmd/kakehashi serve --demo

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the benchmarks (validator vs OASIS schemas vs plain decode, …)
bench:
	KAKEHASHI_STIX_SCHEMAS=$(SCHEMAS) $(GO) test -run '^$$' -bench . -benchmem ./...

build:
	$(GO) build -o bin/kakehashi ./cmd/kakehashi
