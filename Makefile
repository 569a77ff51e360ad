# AsyncInvoke: build, test and deploy. `make help` lists the targets.
#
# SAM calls build-MacroFunction (and build-WorkerFunction for the example)
# with ARTIFACTS_DIR set; `asyncinvoke local` calls them the same way with
# GOARCH set to this machine's architecture.

GO        ?= go
PYTHON    ?= python3
GOARCH    ?= arm64
# A count, not a duration: Go 1.26's fuzz coordinator can fail a duration-bound
# run with "context deadline exceeded" at its end (go.dev/issue/75804, fixed in 1.27).
FUZZTIME  ?= 10000x
BENCHCOUNT ?= 5
BIN       := bin
CFN_LINT  := cfn-lint --non-zero-exit-code error
LAMBDA_BUILD = CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w"
HOST_ARCH := $(shell $(GO) env GOARCH)

.PHONY: help build build-MacroFunction build-WorkerFunction test unit e2e soak fuzz-smoke fuzz lint lint-templates tools demo bench bench-instructions bench-e2e package-org clean

help: ## List the targets
	@grep -hE '^[A-Za-z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

build: ## Build the asyncinvoke command and both functions for this machine into bin/
	$(GO) build -o $(BIN)/asyncinvoke ./cmd/asyncinvoke
	$(MAKE) --no-print-directory build-MacroFunction ARTIFACTS_DIR=$(abspath $(BIN))/macro GOARCH=$(HOST_ARCH)
	$(MAKE) --no-print-directory build-WorkerFunction ARTIFACTS_DIR=$(abspath $(BIN))/worker GOARCH=$(HOST_ARCH)

build-MacroFunction: ## (SAM) the macro's bootstrap into $(ARTIFACTS_DIR), for Lambda (arm64)
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/macro

build-WorkerFunction: ## (SAM) the example worker's bootstrap into $(ARTIFACTS_DIR)
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/worker

test: tools ## Every test: gofmt, vet, unit and golden, fuzz smoke, emulator end-to-end, cfn-lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: run gofmt -w on the files above"; exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory lint-templates

unit: ## Unit and golden tests only (fast)
	$(GO) test ./macro ./internal/...

e2e: tools ## The emulator end-to-end tests only
	$(GO) test -count=1 ./tests

# The template generator (tests/generator_test.go): make test checks 300
# templates of seed 33; soak checks N of SEED, or with CASE=i that one alone.
N    ?= 5000
SEED ?= 33
soak: tools ## The template generator's oracles on N=5000 templates of SEED=33 (CASE=i: one case, printed minimized)
	$(GO) test ./tests -run '^TestGenerated$$' -count=1 -timeout 0 -v -args -gen.n=$(N) -gen.seed=$(SEED) $(if $(CASE),-gen.case=$(CASE))

fuzz-smoke: ## Each fuzz target briefly ($(FUZZTIME))
	$(GO) test ./macro -run '^$$' -fuzz '^FuzzExpand$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./macro -run '^$$' -fuzz '^FuzzHandle$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./internal/parse -run '^$$' -fuzz '^FuzzTemplate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./internal/cli -run '^$$' -fuzz '^FuzzUnifiedDiff$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./internal/vtl -run '^$$' -fuzz '^FuzzTemplate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s
	$(GO) test ./internal/local -run '^$$' -fuzz '^FuzzMockStatus$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s

fuzz: ## Each fuzz target for longer (FUZZTIME=2m by default here)
	$(MAKE) --no-print-directory fuzz-smoke FUZZTIME=$(if $(filter 10000x,$(FUZZTIME)),2m,$(FUZZTIME))

lint: tools ## gofmt, go vet and cfn-lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: run gofmt -w on the files above"; exit 1; }
	$(GO) vet ./...
	$(MAKE) --no-print-directory lint-templates

lint-templates: ## cfn-lint: the deploy templates, every golden template and the expanded example
	$(CFN_LINT) template.yaml deploy/organization.yaml
	@# Errors only: the golden inputs carry warnings on purpose; go test ./tests
	@# (TestGoldenLint) fails on any finding the expansion adds to them.
	$(CFN_LINT) --ignore-checks W -- macro/testdata/*.golden.yaml
	@mkdir -p build
	$(GO) run ./cmd/asyncinvoke expand examples/jobs.yaml > build/jobs.expanded.yaml
	$(CFN_LINT) build/jobs.expanded.yaml

tools: ## Check (and where missing, install) cfn-lint, the SAM translator, and the Velocity oracle (npm)
	@command -v cfn-lint >/dev/null 2>&1 && $(PYTHON) -c 'import samtranslator' 2>/dev/null || \
		$(PYTHON) -m pip install --quiet 'cfn-lint>=1.51' 'aws-sam-translator>=1.110' || \
		{ echo "cfn-lint and aws-sam-translator are needed: pip install cfn-lint aws-sam-translator"; exit 1; }
	@# velocityjs renders the mapping templates in go test ./tests (tests/vtloracle/package-lock.json pins it)
	@test -d tests/vtloracle/node_modules/velocityjs || npm ci --prefix tests/vtloracle --no-audit --no-fund --loglevel=error || \
		{ echo "Node.js and npm are needed for the Velocity oracle: npm ci --prefix tests/vtloracle"; exit 1; }

demo: ## Run the macro under the Lambda emulator on two events, then expand the bundled example
	@echo "== 1. The macro function, built as SAM builds it, under the Lambda Runtime Interface Emulator"
	@echo "==    asyncinvoke local invoke -t template.yaml -e events/client.json MacroFunction"
	@$(GO) run ./cmd/asyncinvoke local invoke -t template.yaml -e events/client.json MacroFunction
	@echo
	@echo "== 2. A template it refuses, with every problem and its fix: -e events/refused-many.json"
	@$(GO) run ./cmd/asyncinvoke local invoke -t template.yaml -e events/refused-many.json MacroFunction 2>/dev/null
	@echo
	@echo "== 3. The bundled example (Method resources, among them a proxy integration made asynchronous with Event: proxy"
	@echo "==    and Accepted, and an OpenAPI body), expanded: asyncinvoke expand examples/jobs.yaml"
	@$(GO) run ./cmd/asyncinvoke expand examples/jobs.yaml
	@echo
	@echo "== Serve it: go run ./cmd/asyncinvoke local start-api -t examples/jobs.yaml --port 3000, then for example"
	@echo "==    curl -i -X POST localhost:3000/jobs/42/runs -d '{\"sleepMs\": 500}'   (202, the request ID in the body and X-Request-Id)"

# The Go runtime settings template.yaml gives the function, so that benchmarks measure it as it runs.
LAMBDA_GOENV ?= GOGC=off GOMEMLIMIT=80MiB

bench: ## Benchmarks: the macro against floors (a) encoding/json and (b) copying (a table), expand --diff against expand and GNU diff, cold start against the Go echo, binary size
	$(LAMBDA_GOENV) $(GO) test ./macro -run '^$$' -bench BenchmarkHandle -benchmem -count $(BENCHCOUNT) | $(GO) run ./tests/benchtable
	$(GO) test ./internal/cli -run '^$$' -bench BenchmarkExpandDiff -count $(BENCHCOUNT) | $(GO) run ./tests/benchtable
	$(GO) test ./tests -run '^$$' -bench BenchmarkColdStart -benchtime 20x
	@$(MAKE) --no-print-directory build-MacroFunction ARTIFACTS_DIR=$(CURDIR)/build/size GOARCH=arm64 >/dev/null
	@echo "bootstrap (linux/arm64, stripped): $$(stat -c %s build/size/bootstrap) bytes"

bench-instructions: ## The 1 MB request as counted instructions (valgrind), macro against floor (a): repeatable on a noisy machine
	@command -v valgrind >/dev/null || { echo "bench-instructions needs valgrind (apt-get install valgrind)"; exit 1; }
	@mkdir -p build
	$(GO) build -o build/instructions ./tests/bench/instructions
	@for side in none json macro; do \
		$(LAMBDA_GOENV) GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file=build/callgrind.$$side \
			build/instructions $$side 2>&1 | awk -v s=$$side '/Collected/ {print s, $$4}'; \
	done | awk '{n[$$1]=$$2} END {f=n["json"]-n["none"]; m=n["macro"]-n["none"]; \
		printf "3 requests of the 1 MB template: floor (a) encoding/json %d instructions, macro %d: ratio %.2fx\n", f, m, m/f}'

bench-e2e: ## Under the Lambda emulator: the bootstrap against a Go echo and a plain Python macro, 1 MB request, warm and cold (not part of make test)
	@mkdir -p build
	$(GO) run ./tests/bench/e2e -runs $(or $(RUNS),21) -cold $(or $(COLD),7)

package-org: ## Zip the macro for the organization-wide StackSet into build/asyncinvoke-macro.zip
	@mkdir -p build/org
	$(MAKE) --no-print-directory build-MacroFunction ARTIFACTS_DIR=$(CURDIR)/build/org
	rm -f build/asyncinvoke-macro.zip && cd build/org && $(PYTHON) -m zipfile -c ../asyncinvoke-macro.zip bootstrap
	@echo "build/asyncinvoke-macro.zip: upload it to the bucket deploy/organization.yaml names (README: Organization-wide)"

clean: ## Remove build output
	rm -rf $(BIN) build .aws-sam
