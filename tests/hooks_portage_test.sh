#!/bin/bash
# The Portage hook (hooks/portage/bashrc) in bash, with the variables Portage
# sets in pkg_postinst and pkg_postrm, and an abitag that records how it was
# called (and one that fails).
# usage: hooks_portage_test.sh HOOKS_DIR
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

[[ ${failures} == 0 ]] && echo "hooks portage: all passed"
exit $((failures > 0))
