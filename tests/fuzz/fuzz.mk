# Fuzzing, sanitizer builds, analysers and the tests that need them.
# Included from the top Makefile; every path here is relative to the top.
#
#   make fuzz-check      every harness for FUZZ_CHECK_TIME s (part of make check)
#   make fuzz            every harness for FUZZ_TIME s, corpus kept in build/fuzz
#   make fuzz-<target>   one harness for FUZZ_TIME s (devpath attr shown config kernel ...)
#   make check-asan      the bats suite against build/hotplug-online-asan
#   make check-valgrind  the bats suite under valgrind (glibc dynamic test build)
#   make lint            check-tree, gcc -fanalyzer, cppcheck, clang-tidy, shellcheck

# Keep the including Makefile's default goal: this file may come first.
fuzz_saved_goal := $(.DEFAULT_GOAL)

FUZZ_CC         ?= clang
FUZZ_TIME       ?= 600
FUZZ_CHECK_TIME ?= 25
FUZZ_JOBS       ?= 1
FUZZ_TARGETS    := devpath attr shown config zoneinfo read_attr online kernel iomem decision names uevent
# Everything but main(), the real logger (the harnesses check each line)
# and the test seam (fuzz.h has its own: no environment, no /run).
FUZZ_SRC        := $(filter-out helper/main.c helper/log.c helper/fault.c,$(wildcard helper/*.c))
FUZZ_HDR        := helper/hotplug-online.h tests/fuzz/fuzz.h tests/fuzz/tree.h
FUZZ_DEFS       := -std=c11 -D_GNU_SOURCE -DVERSION='"fuzz"' -DSYSCONFDIR='"/etc"'
FUZZ_CFLAGS     ?= -g -O1 -fno-omit-frame-pointer
FUZZ_SAN        := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BIN        := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
FUZZ_ENV        := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The bats suite re-run against other builds of the test helper.
ASAN_CC     ?= clang
ASAN_BIN    := build/hotplug-online-asan
GLIBC_BIN   := build/hotplug-online-glibc-test
HELPER_SRC  := $(wildcard helper/*.c)
HELPER_HDR  := $(wildcard helper/*.h)
HELPER_DEFS := -std=c11 -D_GNU_SOURCE -DVERSION='"$(shell cat VERSION)"' \
	       -DSYSCONFDIR='"/etc"' -DHOTPLUG_ONLINE_TEST
VALGRIND    ?= valgrind -q --error-exitcode=99 --leak-check=full \
	       --errors-for-leak-kinds=definite --trace-children=no

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC) $(FUZZ_HDR)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_DEFS) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ $< $(FUZZ_SRC)

fuzz-build: $(FUZZ_BIN)

# A bounded run over the committed seeds; any crash, leak or invariant
# failure fails the target (libFuzzer exits non-zero and leaves crash-*).
# The seeds are read, never written: new inputs go to a scratch corpus.
fuzz-check: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
		rm -rf build/fuzz/check-$$t; mkdir -p build/fuzz/check-$$t build/fuzz/artifacts; \
		echo "fuzz-check: $$t for $(FUZZ_CHECK_TIME) s"; \
		$(FUZZ_ENV) build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_CHECK_TIME) \
			-print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$$t- \
			build/fuzz/check-$$t tests/fuzz/corpus/$$t 2> build/fuzz/check-$$t.log \
			|| { tail -n 60 build/fuzz/check-$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' build/fuzz/check-$$t.log \
			| sed "s/^/  $$t: /"; \
	done

# The long run: the corpus grows in build/fuzz/corpus-<target>.  Merge what
# is worth keeping into the seeds with fuzz-merge.
fuzz: $(FUZZ_TARGETS:%=fuzz-%)

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: build/fuzz/fuzz_%
	@mkdir -p build/fuzz/corpus-$* build/fuzz/artifacts
	$(FUZZ_ENV) $< -max_total_time=$(FUZZ_TIME) -jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
		-print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$*- \
		build/fuzz/corpus-$* tests/fuzz/corpus/$*

# Minimise the seeds plus what a long run found back into the seeds.
fuzz-merge: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/merge-$$t build/fuzz/corpus-$$t; \
		build/fuzz/fuzz_$$t -merge=1 build/fuzz/merge-$$t tests/fuzz/corpus/$$t \
			build/fuzz/corpus-$$t; \
	done

$(ASAN_BIN): $(HELPER_SRC) $(HELPER_HDR) VERSION
	@mkdir -p build
	$(ASAN_CC) $(HELPER_DEFS) -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
		-fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $(HELPER_SRC)

$(GLIBC_BIN): $(HELPER_SRC) $(HELPER_HDR) VERSION
	@mkdir -p build
	gcc $(HELPER_DEFS) -g -O1 -Wall -Wextra -o $@ $(HELPER_SRC)

# The whole bats suite against the sanitizer build: any ASan or UBSan
# report aborts the helper, and the test that ran it fails.
check-asan: $(ASAN_BIN) build/hotplug-online-test build/uevent-send
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:exitcode=98 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	HO=$(CURDIR)/$(ASAN_BIN) bats --tap tests/0*.bats tests/1*.bats tests/3*.bats

check-valgrind: $(GLIBC_BIN) build/hotplug-online-test build/uevent-send
	HO=$(CURDIR)/$(GLIBC_BIN) HO_WRAPPER="$(VALGRIND)" bats --tap tests/0*.bats tests/1*.bats tests/3*.bats

# Analysers.  Each must be silent; the checks clang-tidy skips are listed
# with their reasons in tests/fuzz/.clang-tidy.
LINT_C := $(HELPER_SRC) $(wildcard tests/fuzz/*.c)

lint: check-tree lint-analyzer lint-cppcheck lint-clang-tidy lint-shellcheck

lint-analyzer:
	@set -e; for def in -DHOTPLUG_ONLINE_TEST -UHOTPLUG_ONLINE_TEST; do \
		for f in $(HELPER_SRC); do \
			gcc -std=c11 -D_GNU_SOURCE -DVERSION='"lint"' -DSYSCONFDIR='"/etc"' $$def \
				-O1 -Wall -Wextra -Werror -fanalyzer -c -o /dev/null $$f; \
		done; \
	done; echo "gcc -fanalyzer: clean"

lint-cppcheck:
	cppcheck --quiet --std=c11 --enable=warning,portability,performance --error-exitcode=1 \
		--inline-suppr -D_GNU_SOURCE -DVERSION='"lint"' -DSYSCONFDIR='"/etc"' \
		-DHOTPLUG_ONLINE_TEST $(LINT_C)
	cppcheck --quiet --std=c11 --enable=warning,portability,performance --error-exitcode=1 \
		--inline-suppr -D_GNU_SOURCE -DVERSION='"lint"' -DSYSCONFDIR='"/etc"' \
		-UHOTPLUG_ONLINE_TEST $(HELPER_SRC)

lint-clang-tidy:
	clang-tidy --quiet --config-file=tests/fuzz/.clang-tidy $(LINT_C) -- \
		-std=c11 -D_GNU_SOURCE -DVERSION='"lint"' -DSYSCONFDIR='"/etc"' -DHOTPLUG_ONLINE_TEST

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
	echo "shellcheck:$$sh"; shellcheck -x $$sh || rc=1; \
	echo "shellcheck -e $(SC_BATS_OFF):$$bats"; shellcheck -x -e $(SC_BATS_OFF) $$bats || rc=1; \
	[ $$rc = 0 ] && echo "shellcheck: clean"; exit $$rc

.PHONY: fuzz-build fuzz-check fuzz fuzz-merge $(FUZZ_TARGETS:%=fuzz-%) check-asan \
	check-valgrind lint lint-analyzer lint-cppcheck lint-clang-tidy lint-shellcheck

.DEFAULT_GOAL := $(fuzz_saved_goal)
