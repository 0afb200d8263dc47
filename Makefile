# A thin front over CMake. Every target installs and builds what it needs first, so on a
# fresh Debian 12 machine `make test` and `make demo` are one command each.
include Makefile.inc

.PHONY: all deps deps-bench configure test unit demo bench install fuzz clean

all: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Installs the Debian packages that are missing (and nothing when none is).
deps:
	@scripts/install-deps $(DEPS_PACKAGES)

deps-bench: deps
	@scripts/install-deps $(BENCH_PACKAGES)
	cd bench && npm install --no-audit --no-fund --silent

configure: deps
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

# Every test: unit tests, the tools' integration tests, and the PostgreSQL and Slurm
# fixtures (the tests start and stop their own servers).
test: all
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS)

# Unit tests only: no services.
unit: all
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS) -L unit

demo: all
	@scripts/demo $(BUILD_DIR)

bench: all deps-bench
	@bench/run $(BUILD_DIR)

install: all
	DESTDIR=$(DESTDIR) cmake --install $(BUILD_DIR) --prefix $(PREFIX)

fuzz: deps
	@scripts/install-deps $(FUZZ_PACKAGES)
	CXX=clang++ cmake -S . -B $(BUILD_DIR)-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DAIP_FUZZERS=ON -DAIP_BENCHMARKS=OFF -DAIP_SANITIZE=address,undefined
	cmake --build $(BUILD_DIR)-fuzz -j $(JOBS)
	@scripts/fuzz $(BUILD_DIR)-fuzz

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-fuzz
