#!/usr/bin/env bats
# .ci/check-tree (make check-tree, part of make lint): git tracks no build
# output and no ignored file.

load test_helper/common

TOP=$BATS_TEST_DIRNAME/..

# A scratch repository with this tree's .gitignore and the given files in its
# index (git add -f, as a careless commit would); nothing is committed.
scratch_repo() {
	local f
	SCRATCH=$BATS_TEST_TMPDIR/repo
	git init -q "$SCRATCH"
	cp "$TOP/.gitignore" "$SCRATCH/"
	git -C "$SCRATCH" add .gitignore
	for f in helper/main.c "$@"; do
		mkdir -p "$SCRATCH/$(dirname "$f")"
		: >"$SCRATCH/$f"
		git -C "$SCRATCH" add -f "$f"
	done
}

@test "check-tree: this tree tracks no build output, and make lint runs the check" {
	git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git work tree"
	run -0 "$TOP/.ci/check-tree" "$TOP"
	assert_output 'check-tree: no tracked build output or ignored file'
	run -0 make -C "$TOP" -n lint
	assert_line '.ci/check-tree'
}

@test "check-tree: sources only, and names that merely look like outputs, pass" {
	scratch_repo README.md tests/build/notes.md packaging/rpm/x.spec tests/fuzz/corpus/attr/online \
		tests/test_helper/sysfs-snapshots.tar.gz build.c
	run -0 "$TOP/.ci/check-tree" "$SCRATCH"
}

@test "check-tree: a tracked file that .gitignore ignores fails, named" {
	scratch_repo tests/bench/__pycache__/report.cpython-311.pyc dist/hotplug-online.deb
	run -1 --separate-stderr "$TOP/.ci/check-tree" "$SCRATCH"
	assert_equal "$stderr" "check-tree: tracked build outputs or ignored files (git rm --cached them):
  dist/hotplug-online.deb
  tests/bench/__pycache__/report.cpython-311.pyc"
}

@test "check-tree: a tracked build output fails even where .gitignore does not list it" {
	# None of these is in .gitignore: the check's own patterns catch them.
	scratch_repo helper/main.o tests/bench/report.pyc crash-0123abcd x.rpm
	: >"$SCRATCH/.gitignore"
	run -1 --separate-stderr "$TOP/.ci/check-tree" "$SCRATCH"
	assert_equal "$stderr" "check-tree: tracked build outputs or ignored files (git rm --cached them):
  crash-0123abcd
  helper/main.o
  tests/bench/report.pyc
  x.rpm"
	# Taking them out of the index is the fix the message names.
	git -C "$SCRATCH" rm -q --cached helper/main.o tests/bench/report.pyc crash-0123abcd x.rpm
	run -0 "$TOP/.ci/check-tree" "$SCRATCH"
}

@test "check-tree: a directory that is not a git work tree is an error, not a pass" {
	mkdir "$BATS_TEST_TMPDIR/plain"
	run -2 --separate-stderr "$TOP/.ci/check-tree" "$BATS_TEST_TMPDIR/plain"
	assert_stderr_contains "is not a git work tree"
}
