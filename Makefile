# Two commands matter: `make demo` and `make test`. Both install what they need first.
SHELL := /bin/bash
SWIFT ?= swift
GATEWAYCTL := .build/debug/gatewayctl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the build, the tests and the demo use.
APT_PACKAGES := pkg-config libp11-kit-dev libmodbus-dev libpcsclite-dev pcscd softhsm2 opensc libssl-dev openssl \
	vsmartcard-vpcd chromium python3-pymodbus python3-serial python3-serial-asyncio mbpoll

.PHONY: deps build release tokens demo test bench fuzz clean

## deps: install missing Debian packages (idempotent; apt-get only runs when something is missing)
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## build: debug build of every target
build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product gatewayctl
	$(SWIFT) build -c release --product pkid
	$(SWIFT) build -c release --product gatewayd
	$(SWIFT) build -c release --product headend

## tokens: development SoftHSM tokens gateway, headend and ca under Tokens/softhsm/
tokens: build
	Tokens/create-dev-tokens.sh $(GATEWAYCTL)

## demo: tokens, a key on the gateway token, a signed and verified reading, a simulated meter read live
demo: tokens
	Scripts/demo.sh

## test: every test, against real SoftHSM tokens in temporary directories; nothing is left behind
# A test process that fails or crashes fails `make test`; nothing is run again (Scripts/test-process.sh names it).
# Each test process keeps its files under $TMPDIR/gateway-tests-<pid>-*, locked while it lives, removed at exit,
# and sweeps the unlocked ones of dead runs when it starts (Tests/TestSupport/TemporaryDirectories.swift).
# The sweep here is only a backstop for a run killed after its last test process started.
# Five test processes. Every wait a test does on a child process is async (Tests/TestSupport/BackgroundProcess.swift),
# so no suite holds the cooperative pool while a daemon needs it: the daemon suites (the whole chain, the head-end
# daemon), the outbox's crash tests and the uplink's connection tests run beside the others again.
# Two groups keep a process of their own:
# - the connection floods hold 2,000 sockets at once, and beside them an in-process libmodbus client (select(),
#   descriptors below 1024 only) would abort the process. The suites that run an HTTP server in process and time its
#   answers or its handshakes against the server's own deadlines join them (the limit tests, the TLS policies, the
#   metrics endpoint, OCSP validation): Hummingbird accepts and answers in tasks of the cooperative pool, two threads
#   here, and beside the other unit suites a trivial test waited 5 s for that pool, a bare server's answer once took
#   over 10 s and a TLS handshake outlived the 10 s header deadline;
# - the PC/SC suite starts its own pcscd (in a private mount namespace, see Tests/TestSupport/PCSCDaemon.swift), and
#   libpcsclite reads the socket's place once per process, so no other suite of that process may talk PC/SC first.
SERVER_SUITES := PKIDConnectionFloodTests|HeadEndFloodTests|HTTPServerLimitTests|TLSPolicyTests|MetricsEndpointTests|OCSPValidationTests
SEPARATE_SUITES := $(SERVER_SUITES)|PCSCTests
# The rest run in three processes (the gateway's and head-end's, the other unit suites, the integration suites): all
# of them in one process held over 1,024 descriptors at once (every parallel suite's SQLite pools), and libmodbus
# waits with select(), which aborts the process for a descriptor of 1024 or above.
UNIT_A_SUITES := GatewayTests\.|HeadEndTests\.
test: build
	$(SWIFT) build --build-tests
	status=0; export SWIFT="$(SWIFT)"; \
	Scripts/test-process.sh --filter '$(UNIT_A_SUITES)' --skip '$(SEPARATE_SUITES)' || status=$$?; \
	Scripts/test-process.sh --skip '$(SEPARATE_SUITES)|$(UNIT_A_SUITES)|IntegrationTests\.' || status=$$?; \
	Scripts/test-process.sh --filter 'IntegrationTests\.' --skip '$(SEPARATE_SUITES)' || status=$$?; \
	Scripts/test-process.sh --filter '$(SERVER_SUITES)' || status=$$?; \
	Scripts/test-process.sh --filter 'PCSCTests' || status=$$?; \
	for root in "$${TMPDIR:-/tmp}"/gateway-tests-*; do \
		[ -d "$$root" ] && flock --nonblock "$$root" rm -rf "$$root"; \
	done; exit $$status

## bench: the benchmarks (release build) on the development tokens, the whole chain (Scripts/bench-chain.sh), then the
## virtual PIV card through a private pcscd and OpenSC next to SoftHSM and in the chain at 150 ms a signature (Scripts/bench-card.sh)
bench: release tokens
	@export SOFTHSM2_CONF=$(CURDIR)/Tokens/softhsm/softhsm2.conf; \
	key="pkcs11:token=gateway;object=bench-p256?pin-source=file:$(CURDIR)/Tokens/softhsm/pins/gateway.pin"; \
	.build/release/gatewayctl token keys "$$key" 2>/dev/null | grep -q '^private' || .build/release/gatewayctl token keygen "$$key" --type ec-p256 >/dev/null; \
	.build/release/gatewayctl bench token "$$key" --seconds 3 --sessions 2; \
	.build/release/gatewayctl bench meter --seconds 3; \
	.build/release/gatewayctl bench record "$$key" --seconds 2; \
	.build/release/gatewayctl bench verify --seconds 3
	Scripts/bench-chain.sh
	Scripts/bench-card.sh

## fuzz: libFuzzer on every target (FUZZ_SECONDS each, default 60): COSEMFuzzer (the COSEM decoders) and VerifyFuzzer
## (frame and evidence verification with its reports); seeds in Fuzz/corpus, findings in Fuzz/findings
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := COSEMFuzzer VerifyFuzzer
fuzz: deps
	@set -e; for target in $(FUZZ_TARGETS); do \
		$(SWIFT) build -c release --scratch-path .build-fuzz --product $$target -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING; \
		mkdir -p .build-fuzz/corpus-$$target Fuzz/findings && cp Fuzz/corpus/* .build-fuzz/corpus-$$target/; \
		echo "== $$target for $(FUZZ_SECONDS) s"; \
		SWIFT_BACKTRACE=enable=no .build-fuzz/release/$$target -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=Fuzz/findings/$$target- .build-fuzz/corpus-$$target; \
	done

clean:
	rm -rf .build .build-fuzz
