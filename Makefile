# Kakehashi — developer entry points. See README.md.
GO ?= go
SCHEMAS ?= $(abspath ../shared/stix2-json-schemas)

.PHONY: run test lint bench build fuzz

## run: start the demo hub on 127.0.0.1:8080 with the embedded SQLite store
run:
	$(GO) run ./cmd/kakehashi serve --demo

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 -timeout 30m ./...

## fuzz: each of FUZZ_TARGETS for FUZZTIME, one at a time (go test -fuzz takes one target); CI runs it after test
# FUZZ_TARGETS are package:Target pairs: the decoders of what the hub takes
# from outside (submissions, the registry, TAXII next tokens). Minimizing each new
# interesting input is capped (-fuzzminimizetime) so that the bounded time
# goes to fuzzing rather than to shrinking a few large seeds.
FUZZ_TARGETS ?= \
	./sharing:FuzzParseSubmission \
	./sharing:FuzzParseRegistry \
	./stix:FuzzDecodeBundleParallel \
	./stix:FuzzDecodeJSONValue \
	./server:FuzzNextToken
# FUZZTIME is a count of executions (about 7–15 s each on the 2-core CI machine),
# not a duration: with a duration, Go 1.26's fuzzing coordinator can report a
# bare "context deadline exceeded" as a failure when its deadline races a
# worker (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline.
FUZZTIME ?= 60000x
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x; \
	done

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the benchmarks (validator vs OASIS schemas vs plain decode, …)
bench:
	KAKEHASHI_STIX_SCHEMAS=$(SCHEMAS) $(GO) test -run '^$$' -bench . -benchmem ./...

build:
	$(GO) build -o bin/kakehashi ./cmd/kakehashi
