# Fuzzing, sanitizer builds, analysers and the tests that need them.
# Included from the top Makefile; every path here is relative to the top.
#
#   make fuzz-check      every harness for FUZZ_CHECK_TIME s (part of make check)
#   make fuzz            every harness for FUZZ_TIME s, corpus kept in build/fuzz
#   make fuzz-<target>   one harness for FUZZ_TIME s (devpath attr shown config kernel ...)
#   make check-asan      the unit tests of the C paths against build/hotplug-online-asan
#   make check-valgrind  the same under valgrind (glibc dynamic test build)
#   make lint            check-tree, gcc -fanalyzer, cppcheck, clang-tidy, shellcheck

# Keep the including Makefile's default goal: this file may come first.
fuzz_saved_goal := $(.DEFAULT_GOAL)

FUZZ_CC         ?= clang
FUZZ_TIME       ?= 600
# 10 harnesses, 3 s each from their seeds, one per core: a smoke test (the
# long run is `make fuzz`), half a minute with the build on 2 cores.
FUZZ_CHECK_TIME ?= 3
FUZZ_JOBS       ?= 1
FUZZ_TARGETS    := devpath attr shown config read_attr online kernel names uevent mounts
# Everything but main() and the real logger (the harnesses check each line).
FUZZ_SRC        := $(filter-out helper/main.c helper/log.c,$(wildcard helper/*.c))
FUZZ_OBJ        := $(FUZZ_SRC:helper/%.c=build/fuzz/obj/%.o)
FUZZ_HDR        := helper/hotplug-online.h tests/fuzz/fuzz.h tests/fuzz/tree.h
FUZZ_DEFS       := -std=c11 -D_GNU_SOURCE -DVERSION='"fuzz"' -DSYSCONFDIR='"/etc"'
FUZZ_CFLAGS     ?= -g -O1 -fno-omit-frame-pointer
FUZZ_SAN        := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BIN        := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
FUZZ_ENV        := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The unit tests re-run against other builds of the test helper: the files
# that run the helper's C paths (not the build, install, tree and udev
# rule files, which run no helper).  Under valgrind a run costs half a
# second of CPU, so it gets the files that go through each command's C
# paths once (about 100 runs): online and udev (020), status, the log
# service, and three tests of setup and restore; not 040's injected faults
# and 070's log lines (ASan and its leak checker run them, and valgrind's
# own find, a read of uninitialised memory, is on the paths above), nor
# 010, 085 and 090's tables (the same paths again), nor 030, 050, 100 and
# 310 (refusals of what the parsers and read_attr() take, which the
# fuzzers cover under ASan and UBSan), nor 300 (hundreds of racing
# processes).
ASAN_CC     ?= clang
ASAN_BIN    := build/hotplug-online-asan
GLIBC_BIN   := build/hotplug-online-glibc-test
HELPER_SRC  := $(wildcard helper/*.c)
HELPER_HDR  := $(wildcard helper/*.h)
HELPER_DEFS := -std=c11 -D_GNU_SOURCE -DVERSION='"$(shell cat VERSION)"' \
	       -DSYSCONFDIR='"/etc"'
VALGRIND    ?= valgrind -q --error-exitcode=99 --leak-check=full \
	       --errors-for-leak-kinds=definite --trace-children=no
C_TESTS     := $(filter-out tests/000-% tests/005-% tests/006-% tests/150-%,\
		$(wildcard tests/0*.bats tests/1*.bats tests/3*.bats))
VALGRIND_TESTS := $(filter tests/020-% tests/060-% tests/095-%,$(C_TESTS))
# Under ASan every file but the parsers' refusals (030, 050, 310: the
# fuzzers run those under ASan and UBSan) and 300's racing processes.
ASAN_TESTS  := $(filter-out tests/030-% tests/050-% tests/300-% tests/310-%,$(C_TESTS))
VALGRIND_SETUP := '^setup: memory = (online \(|auto-movable with)|^restore: only what'

# Tests in parallel where GNU parallel is there (.ci/packages/vm.txt;
# looked for when a recipe runs, after make check's deps installed it):
# every test has its own directory and namespace.  Four a core: many wait
# (the log service's repairs at 1, 4 and 16 s, its idle checks), and at one
# a core the unit tests left half the CPU idle (134 s against 72 s).
UNIT_JOBS    = $(if $(shell command -v parallel 2>/dev/null),--jobs $(shell echo $$(( $$(nproc) * 4 ))),)

# libFuzzer instruments the helper's objects once (fuzzer-no-link) and
# links each harness with them.
build/fuzz/obj/%.o: helper/%.c $(HELPER_HDR)
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_DEFS) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ) $(FUZZ_HDR)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_DEFS) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ)

fuzz-build: $(FUZZ_BIN)
# Kept between runs: make would delete them as intermediates.
.SECONDARY: $(FUZZ_OBJ)

# A bounded run over the committed seeds, one harness per core at a time;
# any crash, leak or invariant failure fails the target (libFuzzer exits
# non-zero and leaves crash-*).  The seeds are read, never written: new
# inputs go to a scratch corpus.
fuzz-check: $(FUZZ_BIN)
	@rm -rf build/fuzz/check-*; mkdir -p build/fuzz/artifacts
	@echo "fuzz-check: $(FUZZ_TARGETS), $(FUZZ_CHECK_TIME) s each, $(NPROC) at a time"
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(NPROC) -I{} sh -c '\
		mkdir -p build/fuzz/check-{}; \
		$(FUZZ_ENV) build/fuzz/fuzz_{} -max_total_time=$(FUZZ_CHECK_TIME) \
			-print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/{}- \
			build/fuzz/check-{} tests/fuzz/corpus/{} 2> build/fuzz/check-{}.log \
		|| { echo "fuzz-check: {} failed:"; tail -n 60 build/fuzz/check-{}.log; exit 1; }; \
		sed -n "s/^stat::number_of_executed_units: */  {}: runs /p" build/fuzz/check-{}.log'

# The long run: the corpus grows in build/fuzz/corpus-<target>.  Merge what
# is worth keeping into the seeds with fuzz-merge.
fuzz: $(FUZZ_TARGETS:%=fuzz-%)

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: build/fuzz/fuzz_%
	@mkdir -p build/fuzz/corpus-$* build/fuzz/artifacts
	# In build/fuzz: -jobs writes its fuzz-N.log files where it runs.
	cd build/fuzz && $(FUZZ_ENV) ./fuzz_$* -max_total_time=$(FUZZ_TIME) -jobs=$(FUZZ_JOBS) \
		-workers=$(FUZZ_JOBS) -print_final_stats=1 -artifact_prefix=artifacts/$*- \
		corpus-$* $(abspath tests/fuzz/corpus/$*)

# Minimise the seeds plus what a long run found back into the seeds.
fuzz-merge: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/merge-$$t build/fuzz/corpus-$$t; \
		build/fuzz/fuzz_$$t -merge=1 build/fuzz/merge-$$t tests/fuzz/corpus/$$t \
			build/fuzz/corpus-$$t; \
	done

$(ASAN_BIN): $(HELPER_SRC) $(HELPER_HDR) VERSION tests/test_helper/seams.c
	@mkdir -p build
	$(ASAN_CC) $(HELPER_DEFS) -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
		-fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $(HELPER_SRC) $(SEAMS)

$(GLIBC_BIN): $(HELPER_SRC) $(HELPER_HDR) VERSION tests/test_helper/seams.c
	@mkdir -p build
	gcc $(HELPER_DEFS) -g -O1 -Wall -Wextra -o $@ $(HELPER_SRC) $(SEAMS)

# The unit tests against the sanitizer build: any ASan or UBSan report
# aborts the helper, and the test that ran it fails.
check-asan: $(ASAN_BIN) build/hotplug-online-test build/uevent-send build/ns-run
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:exitcode=98 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	HO=$(CURDIR)/$(ASAN_BIN) bats --tap $(UNIT_JOBS) $(ASAN_TESTS)

check-valgrind: $(GLIBC_BIN) build/hotplug-online-test build/uevent-send build/ns-run
	HO=$(CURDIR)/$(GLIBC_BIN) HO_WRAPPER="$(VALGRIND)" bats --tap $(UNIT_JOBS) $(VALGRIND_TESTS)
	HO=$(CURDIR)/$(GLIBC_BIN) HO_WRAPPER="$(VALGRIND)" bats --tap $(UNIT_JOBS) \
		-f $(VALGRIND_SETUP) tests/090-setup.bats

# Analysers.  Each must be silent; the checks clang-tidy skips are listed
# with their reasons in tests/fuzz/.clang-tidy.
LINT_C := $(HELPER_SRC) $(wildcard tests/fuzz/*.c tests/test_helper/*.c)

lint: check-tree lint-analyzer lint-cppcheck lint-clang-tidy lint-shellcheck

# One compiler or clang-tidy per file, as many at once as there are cores.
NPROC := $(shell nproc 2>/dev/null || echo 1)

lint-analyzer:
	@printf '%s\n' $(HELPER_SRC) | xargs -P $(NPROC) -I{} gcc -std=c11 -D_GNU_SOURCE \
		-DVERSION='"lint"' -DSYSCONFDIR='"/etc"' -O1 -Wall -Wextra -Werror \
		-fanalyzer -c -o /dev/null {} && echo "gcc -fanalyzer: clean"

lint-cppcheck:
	cppcheck --quiet --std=c11 --enable=warning,portability,performance --error-exitcode=1 \
		--inline-suppr -D_GNU_SOURCE -DVERSION='"lint"' -DSYSCONFDIR='"/etc"' $(LINT_C)

lint-clang-tidy:
	@printf '%s\n' $(LINT_C) | xargs -P $(NPROC) -I{} clang-tidy --quiet \
		--config-file=tests/fuzz/.clang-tidy {} -- -std=c11 -D_GNU_SOURCE \
		-DVERSION='"lint"' -DSYSCONFDIR='"/etc"' && echo "clang-tidy: clean"

# Every file git knows (tracked, or untracked and not ignored) whose first
# line is a shell shebang, and every .bats file; nothing is excluded.  In
# .bats files three checks are off, all bats artefacts: SC2154 ($output,
# $stderr, $status and $lines are assigned by bats' run), SC2030/SC2031
# (each @test body runs in a subshell of its own, by design).
SC_BATS_OFF := SC2154,SC2030,SC2031

lint-shellcheck:
	@rc=0; sh=; bats=; \
	for f in $$(git ls-files -co --exclude-standard); do \
		[ -f "$$f" ] || continue; \
		case $$f in *.bats) bats="$$bats $$f"; continue;; esac; \
		if head -n1 "$$f" | grep -Eq '^#! ?(/usr)?/bin/(env +)?(ba|da|k|mk)?sh( |$$)'; then \
			sh="$$sh $$f"; fi; \
	done; \
	echo "shellcheck:$$sh"; printf '%s\n' $$sh | xargs -P $(NPROC) -n 8 shellcheck -x || rc=1; \
	echo "shellcheck -e $(SC_BATS_OFF):$$bats"; \
	printf '%s\n' $$bats | xargs -P $(NPROC) -n 8 shellcheck -x -e $(SC_BATS_OFF) || rc=1; \
	echo "shellcheck -s bash: tests/test_helper/common.bash"; \
	shellcheck -s bash -e SC2154 tests/test_helper/common.bash || rc=1; \
	[ $$rc = 0 ] && echo "shellcheck: clean"; exit $$rc

.PHONY: fuzz-build fuzz-check fuzz fuzz-merge $(FUZZ_TARGETS:%=fuzz-%) check-asan \
	check-valgrind lint lint-analyzer lint-cppcheck lint-clang-tidy lint-shellcheck

.DEFAULT_GOAL := $(fuzz_saved_goal)
