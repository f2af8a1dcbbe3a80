#!/bin/bash
# SPDX-License-Identifier: MIT
# The Portage and Paludis hooks in bash, with the variables each sets
# (Portage: CATEGORY, PN, SLOT, EROOT, REPLACED_BY_VERSION in pkg_postinst
# and pkg_postrm; Paludis: TARGET and ROOT, and its exndbam installed-data
# folder), and an abitag that records how it was called (and one that fails).
# usage: hooks_test.sh HOOKS_DIR
set -u
hooks=$1
work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
failures=0
expect() { # NAME WANT GOT
	if [[ $2 != "$3" ]]; then
		echo "FAIL $1: want [$2], got [$3]"
		failures=$((failures + 1))
	fi
}
cat > "${work}/abitag" <<'STUB'
#!/bin/sh
echo "$*" >> "${CALLS}"
exit "${STUB_EXIT:-0}"
STUB
chmod +x "${work}/abitag"
export ABITAG=${work}/abitag CALLS=${work}/calls
calls() { cat "${CALLS}" 2>/dev/null; : > "${CALLS}"; }

# Portage, in a subshell of its own: each hook defines its own functions.
(
source "${hooks}/portage/bashrc"

CATEGORY=dev-libs PN=foo SLOT=0/1.2 EROOT=/
post_pkg_postinst
expect "postinst adopts CATEGORY/PN:SLOT" "adopt / --package dev-libs/foo:0" "$(cat "${CALLS}")"
: > "${CALLS}"
REPLACED_BY_VERSION=1.3 post_pkg_postrm
expect "an upgrade's postrm forgets nothing" "" "$(cat "${CALLS}")"
REPLACED_BY_VERSION= post_pkg_postrm
expect "a removal forgets" "forget --if-known dev-libs/foo:0" "$(cat "${CALLS}")"
: > "${CALLS}"
EROOT=/mnt/gentoo/ REPLACED_BY_VERSION= post_pkg_postrm
expect "a removal under EROOT forgets in its store" \
	"forget --if-known dev-libs/foo:0 --db /mnt/gentoo/var/lib/abitag/tags.db" "$(cat "${CALLS}")"
STUB_EXIT=3 post_pkg_postinst
expect "a failing abitag never fails the merge" 0 $?
STUB_EXIT=3 REPLACED_BY_VERSION= post_pkg_postrm
expect "a failing abitag never fails the unmerge" 0 $?

exit "${failures}"
) || failures=$((failures + $?))

# Paludis.
: > "${CALLS}"
(
source "${hooks}/paludis/abitag.hook"

expect "auto names" "install_post uninstall_post" "$(hook_auto_names)"
TARGET=dev-libs/foo-bar-1.2.3-r1:2::installed ROOT=/ hook_run_install_post
expect "install_post adopts CATEGORY/PN:SLOT" "adopt / --package dev-libs/foo-bar:2" "$(calls)"
TARGET=dev-lang/ghc-9.0.2:9.0.2::installed ROOT=/ hook_run_install_post
expect "a slot that looks like a version" "adopt / --package dev-lang/ghc:9.0.2" "$(calls)"

root=${work}/root
mkdir -p "${root}/var/db/paludis/repositories/installed/data/dev-libs---foo-bar/1.3:2:C.7"
TARGET=dev-libs/foo-bar-1.2.3-r1:2::installed ROOT=${root}/ hook_run_uninstall_post
expect "an upgrade's uninstall_post forgets nothing" "" "$(calls)"
rm -r "${root}/var/db/paludis/repositories/installed/data/dev-libs---foo-bar/1.3:2:C.7"
TARGET=dev-libs/foo-bar-1.3:2::installed ROOT=${root}/ hook_run_uninstall_post
expect "a removal forgets in ROOT's store" \
	"forget --if-known dev-libs/foo-bar:2 --db ${root}/var/lib/abitag/tags.db" "$(calls)"
TARGET=dev-libs/foo-bar-1.3:2::installed ROOT=/ hook_run_uninstall_post
expect "a removal under / uses the default store" "forget --if-known dev-libs/foo-bar:2" "$(calls)"
STUB_EXIT=3 TARGET=dev-libs/foo-1:0::installed ROOT=/ hook_run_install_post
expect "a failing abitag never fails the merge" 0 $?
STUB_EXIT=3 TARGET=dev-libs/foo-1:0::installed ROOT=/ hook_run_uninstall_post
expect "a failing abitag never fails the unmerge" 0 $?

exit "${failures}"
) || failures=$((failures + $?))

[[ ${failures} == 0 ]] && echo "hooks: all passed"
exit $((failures > 0))
