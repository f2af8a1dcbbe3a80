#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The exlibs in scripts/exlibs, called as exheres phases call them: each phase
# in a subshell with CATEGORY, PN, SLOT, IMAGE... set and `die` and `require`
# as the package manager provides them, against a temporary store.
# usage: exlibs_test.sh ABITAG_BINARY EXLIBS_DIR FIXTURES_DIR
# Exits 0 when every check passed, 1 when one failed. Every tool it needs is
# one scripts/setup installs, so a missing one fails it (the policy is in
# tests/support.h); it never skips (exit 77).
set -uo pipefail
abitag=$1 exlibs=$2 fixtures=$3

# require_tool TOOL PACKAGE: fails unless TOOL is on PATH and not named in
# ABITAG_TEST_HIDE_TOOLS (commas between), as the Catch2 tests do.
require_tool() {
    if [[ ,${ABITAG_TEST_HIDE_TOOLS:-}, == *,$1,* ]] || ! command -v "$1" >/dev/null; then
        echo "FAIL: $1 is not installed: install package $2 (scripts/setup installs it)" >&2
        exit 1
    fi
}
require_tool sqlite3 sqlite3
work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
export ABITAG=${abitag} ABITAG_DB=${work}/var/lib/abitag/tags.db
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"; }

# phase ID IMAGE EXLIB COMMAND...: runs COMMAND as a phase of package ID.
phase() {
    local id=$1 image=$2 exlib=$3
    shift 3
    (
        CATEGORY=${id%%/*}
        local rest=${id#*/}
        PN=${rest%%:*} SLOT=${rest#*:} PV=1.0 ROOT=/ IMAGE=${image} T=${work}/temp WORK=${work}/work
        PNV=${PN}-${PV} PVR=${PV}
        die() { echo "die: $*" >&2; exit 1; }
        require() { local e; for e in "$@"; do source "${exlibs}/${e}.exlib"; done; }
        require "${exlib}"
        "$@"
    )
}

# 1. A C++ library is installed: pkg_preinst tags it from its image.
phase dev-libs/base:0 "${fixtures}/cxxabi/capi" cxxabi cxxabi_pkg_preinst || fail "base: cxxabi_pkg_preinst"
expect_eq "$("${abitag}" show --json dev-libs/base:0 | grep -c '"source": "cxxabi"')" 1 "base tagged by the analyzer"
expect_eq "$(sqlite3 "${ABITAG_DB}" "SELECT arguments FROM tags WHERE package = 'dev-libs/base:0'")" \
    '{"options":[],"paths":["/"]}' "the image is recorded as the installed system"
first=$("${abitag}" cxxabi "${fixtures}/cxxabi/capi")
expect_eq "$(phase dev-libs/base:0 "${fixtures}/cxxabi/capi" cxxabi cxxabi_tag)" "${first}" "cxxabi_tag prints the analyzer's value"

# 2. Two dependants lock on it, one on the other too, and carry tags of their own.
phase dev-libs/user:0 /nonexistent cxxabi bash -c 'true' # a phase with nothing to do
phase dev-libs/user:0 /nonexistent cxxabi cxxabi_lock dev-libs/base:0 || fail "user: cxxabi_lock"
phase dev-libs/user:0 /nonexistent cxxabi extag cxxabi user-1 || fail "user: extag"
phase app-misc/tool:0 /nonexistent cxxabi cxxabi_lock dev-libs/base:0 dev-libs/user:0 || fail "tool: cxxabi_lock"
"${abitag}" check >/dev/null
expect_eq $? 0 "check after installing"

# 3. base is rebuilt and now exposes libstdc++'s C++11 ABI.
phase dev-libs/base:0 "${fixtures}/cxxabi/new-O2" cxxabi cxxabi_pkg_preinst || fail "base: rebuild"
[[ "$("${abitag}" cxxabi "${fixtures}/cxxabi/new-O2")" != "${first}" ]] || fail "the fixtures should differ"
order=$("${abitag}" check --format lines 2>/dev/null)
expect_eq "$?" 1 "check exits 1 after the rebuild" # $? of the assignment is check's
expect_eq "${order}" $'dev-libs/user:0\napp-misc/tool:0' "rebuild order, dependencies first"

# 4. The dependants are rebuilt in that order and lock again: clean.
phase dev-libs/user:0 /nonexistent cxxabi cxxabi_lock dev-libs/base:0 || fail "user: relock"
phase app-misc/tool:0 /nonexistent cxxabi cxxabi_lock dev-libs/base:0 dev-libs/user:0 || fail "tool: relock"
"${abitag}" check
expect_eq $? 0 "check after rebuilding the dependants"

# 5. Mistakes die with the reason, and record nothing.
before=$("${abitag}" export)
err=$(phase app-misc/tool:0 /nonexistent cxxabi abitag_lock dev-libs/nothing:0 cxxabi 2>&1)
expect_eq $? 1 "locking on a tag that is not there dies"
[[ ${err} == *"dev-libs/nothing:0: has no tag 'cxxabi'"*"die: abitag could not lock dev-libs/nothing:0 cxxabi" ]] ||
    fail "die message: ${err}"
phase app-misc/tool:0 /nonexistent cxxabi extag only-a-key 2>/dev/null && fail "extag with one argument must die"
phase app-misc/tool:0 "${fixtures}/cxxabi/bad" cxxabi cxxabi_pkg_preinst 2>/dev/null &&
    fail "an unreadable image must die"
expect_eq "$("${abitag}" export)" "${before}" "nothing recorded by the failures"

# 6. Haskell: a library tagged from its real register.sh, a dependant locked on
# it, then a rebuild that keeps the cabal id but changes the ABI hash.
himage=${work}/himage
mkdir -p "${himage}/usr/lib/tinylib"
cp "${fixtures}/ghc/tinylib/register.sh" "${himage}/usr/lib/tinylib/register.sh"
phase dev-haskell/tinylib:0 "${himage}" haskell haskell_pkg_preinst || fail "tinylib: haskell_pkg_preinst"
expect_eq "$("${abitag}" show dev-haskell/tinylib:0 | sed -n 's/^  tag  ghc=\([^ ]*\) .*/\1/p')" \
    "$("${abitag}" ghc --tag "${fixtures}/ghc/tinylib/register.sh")" "tinylib tagged with id:abi"
phase dev-haskell/user:0 /nonexistent haskell haskell_abitag_lock dev-haskell/tinylib:0 || fail "user: lock"
"${abitag}" check >/dev/null || fail "clean after the lock"
cp "${fixtures}/ghc/tinylib-rebuilt/register.sh" "${himage}/usr/lib/tinylib/register.sh"
expect_eq "$("${abitag}" ghc "${fixtures}/ghc/tinylib-rebuilt/register.sh")" \
    "$("${abitag}" ghc "${fixtures}/ghc/tinylib/register.sh")" "the rebuild keeps the cabal id"
phase dev-haskell/tinylib:0 "${himage}" haskell haskell_pkg_preinst || fail "tinylib rebuilt: haskell_pkg_preinst"
expect_eq "$("${abitag}" check --format lines 2>/dev/null)" "dev-haskell/user:0" "same-id rebuild makes the dependant stale"
"${abitag}" forget dev-haskell/tinylib:0 && "${abitag}" forget dev-haskell/user:0

phase dev-haskell/array:0 /nonexistent haskell extag ghc array-0.5.4.0-abc || fail "array: extag"
phase dev-haskell/text:0 /nonexistent haskell haskell_abitag_lock dev-haskell/array:0 || fail "text: lock"
expect_eq "$("${abitag}" show dev-haskell/text:0 | sed -n 's/^  lock \([^ ]*\) \([^ ]*\) .*/\1 \2/p')" \
    "dev-haskell/array:0 ghc=array-0.5.4.0-abc" "text locks array's ghc tag"
phase dev-haskell/array:0 /nonexistent haskell extag ghc array-0.5.4.0-def
expect_eq "$("${abitag}" check --format cave 2>/dev/null)" \
    "cave resolve --execute --preserve-world dev-haskell/text:0" "cave command for the haskell rebuild"

# 7. Uninstalling: forgotten unless replaced by a new version.
REPLACED_BY_ID=dev-haskell/array-0.5.5:0 phase dev-haskell/array:0 /nonexistent haskell abitag_pkg_postrm
expect_eq "$("${abitag}" show dev-haskell/array:0 | head -1)" "dev-haskell/array:0" "kept when replaced"
phase dev-haskell/array:0 /nonexistent haskell abitag_pkg_postrm || fail "postrm"
phase dev-haskell/array:0 /nonexistent haskell abitag_pkg_postrm || fail "postrm run twice"
phase app-misc/never-tagged:0 /nonexistent haskell abitag_pkg_postrm || fail "postrm of a package never tagged"
expect_eq "$("${abitag}" check --json | grep -c '"reason": "package-gone"')" 1 "text's lock reports array gone"

# 8. Inputs: fingerprinted from the distfiles, the patches, the options and
# the compiler before src_compile, recorded at pkg_preinst; plan compares.
mkdir -p "${work}/temp" "${work}/distfiles"
echo one > "${work}/distfiles/foo-1.0.tar.gz"
echo fix > "${work}/fix.patch"
# What Paludis provides an exheres with a patch and the option ssl enabled.
with_recipe() {
    DEFAULT_SRC_PREPARE_PATCHES=("${work}/fix.patch")
    optionq() { [[ $1 == ssl ]]; }
    default() { :; }
    "$@"
}
export ARCHIVES=foo-1.0.tar.gz FETCHEDDIR=${work}/distfiles MYOPTIONS="ssl [[ description = [ TLS ] ]] gui"
export CFLAGS=-O2 CXXFLAGS=-O2 LDFLAGS= CXX=g++
fingerprint=$(phase dev-libs/foo:0 /nonexistent abitag with_recipe abitag_src_prepare) || fail "foo: abitag_src_prepare"
expect_eq "${fingerprint}" "$("${abitag}" inputs "${work}/fix.patch" "${work}/distfiles/foo-1.0.tar.gz" \
    --value 'OPTIONS=ssl ' --value CFLAGS=-O2 --value CXXFLAGS=-O2 --value LDFLAGS= --compiler g++)" \
    "the inputs of the distfile, the patch, the options, the flags and the compiler"
phase dev-libs/foo:0 /nonexistent abitag abitag_record_inputs || fail "foo: abitag_record_inputs"
expect_eq "$("${abitag}" show dev-libs/foo:0 | sed -n 's/^  tag  inputs=\([^ ]*\) .*/\1/p')" "${fingerprint}" \
    "pkg_preinst records what src_prepare printed"
phase dev-libs/foo:0 /nonexistent abitag extag lib foo-1 || fail "foo: extag"
phase app-misc/bar:0 /nonexistent abitag abitag_lock dev-libs/foo:0 lib || fail "bar: lock"
"${abitag}" plan "dev-libs/foo:0=${fingerprint}"
expect_eq $? 0 "plan: the same inputs again break nothing"
echo fix2 > "${work}/fix.patch"
changed=$(phase dev-libs/foo:0 /nonexistent abitag with_recipe abitag_inputs)
[[ ${changed} != "${fingerprint}" ]] || fail "a changed patch changes the inputs"
expect_eq "$("${abitag}" plan --format lines "dev-libs/foo:0=${changed}" 2>/dev/null)" "app-misc/bar:0" \
    "plan: a changed patch may break the dependant"
unset ARCHIVES FETCHEDDIR MYOPTIONS CFLAGS CXXFLAGS LDFLAGS CXX

# The sqlite3 tool agrees with abitag's view of the store.
expect_eq "$(sqlite3 "${ABITAG_DB}" "SELECT count(*) FROM tags WHERE package = 'dev-haskell/array:0'")" 0 \
    "sqlite3: array's tags are gone"

if ((failures)); then
    echo "${failures} failure(s)" >&2
    exit 1
fi
echo "exlibs: all checks passed"
