#!/bin/bash
# SPDX-License-Identifier: MIT
# The Portage and Paludis hooks in bash, with the variables each sets
# (Portage: CATEGORY, PN, SLOT, EROOT, REPLACED_BY_VERSION in pkg_postinst
# and pkg_postrm; Paludis: TARGET and ROOT, and its exndbam installed-data
# folder; for the pre-merge preview, Portage's D and REPLACING_VERSIONS in
# pkg_preinst, Paludis' IMAGE, CATEGORY, PN, SLOT in merger_check_post, and
# the exlib's abitag_preview with REPLACING_IDS), and an abitag that records
# how it was called (and one that fails, or finds breakage: exit 1).
# usage: hooks_test.sh HOOKS_DIR [ABITAG_BINARY]
set -u
hooks=$1
real_abitag=${2:-}
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

: > "${CALLS}"
eerror() { echo "eerror: $*" >> "${CALLS}"; }
D=/var/tmp/portage/dev-libs/foo-1.3/image/ PF=foo-1.3 REPLACING_VERSIONS=1.2 ROOT=/ post_pkg_preinst
expect "preinst previews the image, replacing CATEGORY/PN:SLOT" \
	"preview /var/tmp/portage/dev-libs/foo-1.3/image/ --root / --replaces dev-libs/foo:0" "$(calls)"
D=/img/ PF=foo-1.3 REPLACING_VERSIONS= ROOT=/mnt/gentoo/ post_pkg_preinst
expect "a first install replaces nothing" "preview /img/ --root /mnt/gentoo/" "$(calls)"
STUB_EXIT=1 D=/img/ PF=foo-1.3 REPLACING_VERSIONS=1.2 post_pkg_preinst
expect "a preview that finds breakage never fails the merge by default" 0 $?
calls >/dev/null
STUB_EXIT=1 ABITAG_PREVIEW_STRICT=1 D=/img/ PF=foo-1.3 REPLACING_VERSIONS=1.2 post_pkg_preinst
expect "ABITAG_PREVIEW_STRICT=1 fails the merge that breaks something" 1 $?
expect "and says why" "preview /img/ --root / --replaces dev-libs/foo:0
eerror: abitag preview: merging dev-libs/foo-1.3 breaks what is installed (ABITAG_PREVIEW_STRICT=1)" "$(calls)"
STUB_EXIT=3 ABITAG_PREVIEW_STRICT=1 D=/img/ PF=foo-1.3 REPLACING_VERSIONS=1.2 post_pkg_preinst
expect "an abitag error fails no merge, strict or not" 0 $?

exit "${failures}"
) || failures=$((failures + $?))

# Paludis.
: > "${CALLS}"
(
source "${hooks}/paludis/abitag.hook"

expect "auto names" "install_post uninstall_post merger_check_post" "$(hook_auto_names)"
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

calls >/dev/null
mkdir -p "${root}/var/db/paludis/repositories/installed/data/dev-libs---foo-bar/1.2:2:C.7"
CATEGORY=dev-libs PN=foo-bar SLOT=2 IMAGE=/var/tmp/paludis/build/dev-libs-foo-bar-1.3/image ROOT=${root}/ \
	hook_run_merger_check_post
expect "merger_check_post previews the image, replacing the installed CATEGORY/PN:SLOT" \
	"preview /var/tmp/paludis/build/dev-libs-foo-bar-1.3/image --root ${root}/ --replaces dev-libs/foo-bar:2" "$(calls)"
CATEGORY=dev-libs PN=new SLOT=0 IMAGE=/img ROOT=${root}/ hook_run_merger_check_post
expect "a first install replaces nothing" "preview /img --root ${root}/" "$(calls)"
STUB_EXIT=1 CATEGORY=dev-libs PN=new SLOT=0 IMAGE=/img ROOT=/ hook_run_merger_check_post
expect "a preview that finds breakage never fails the merge by default" 0 $?
STUB_EXIT=1 ABITAG_PREVIEW_STRICT=1 CATEGORY=dev-libs PN=new SLOT=0 IMAGE=/img ROOT=/ hook_run_merger_check_post
expect "ABITAG_PREVIEW_STRICT=1 fails the merge check" 1 $?
calls >/dev/null

exit "${failures}"
) || failures=$((failures + $?))

# The exlib's abitag_preview, as pkg_preinst calls it.
: > "${CALLS}"
(
source "${hooks}/../scripts/exlibs/abitag.exlib"
die() { echo "die: $*" >> "${CALLS}"; exit 1; }
CATEGORY=dev-libs PN=foo SLOT=0 IMAGE=/var/tmp/paludis/image ROOT=/ REPLACING_IDS="dev-libs/foo-1.2:0::installed" \
	abitag_preview
expect "abitag_preview previews IMAGE, replacing this package" \
	"preview /var/tmp/paludis/image --root / --replaces dev-libs/foo:0" "$(calls)"
CATEGORY=dev-libs PN=foo SLOT=0 IMAGE=/img ROOT=/ REPLACING_IDS= abitag_preview
expect "a first install replaces nothing" "preview /img --root /" "$(calls)"
STUB_EXIT=1 CATEGORY=dev-libs PN=foo SLOT=0 IMAGE=/img ROOT=/ abitag_preview
expect "breakage does not die by default" 0 $?
calls >/dev/null
(STUB_EXIT=1 ABITAG_PREVIEW_STRICT=1 CATEGORY=dev-libs PN=foo SLOT=0 IMAGE=/img ROOT=/ abitag_preview)
expect "ABITAG_PREVIEW_STRICT=1 dies" 1 $?
expect "naming the package" "preview /img --root /
die: abitag preview: merging dev-libs/foo:0 breaks what is installed (ABITAG_PREVIEW_STRICT=1)" "$(calls)"

exit "${failures}"
) || failures=$((failures + $?))

# Portage's preinst hook with the real abitag, when given (ABITAG_BINARY):
# a root whose VDB lists a C library and a program calling its foo_b, and
# the image of a new build of the library without foo_b, both made by gcc.
if [[ -n ${real_abitag} ]]; then
(
source "${hooks}/portage/bashrc"
eerror() { echo "eerror: $*"; }
real=${work}/real
mkdir -p "${real}/src" "${real}/root/usr/lib" "${real}/root/usr/bin" "${real}/image/usr/lib"
printf 'int foo_a(void) { return 1; }\nint foo_b(void) { return 2; }\n' > "${real}/src/foo.c"
printf 'int foo_a(void) { return 1; }\n' > "${real}/src/foo_new.c"
printf 'int foo_b(void);\nint main(void) { return foo_b(); }\n' > "${real}/src/app.c"
gcc -shared -fPIC -Wl,-soname,libfoo.so.1 -o "${real}/root/usr/lib/libfoo.so.1" "${real}/src/foo.c" &&
	gcc -shared -fPIC -Wl,-soname,libfoo.so.1 -o "${real}/image/usr/lib/libfoo.so.1" "${real}/src/foo_new.c" &&
	gcc -o "${real}/root/usr/bin/app" "${real}/src/app.c" -L"${real}/root/usr/lib" -l:libfoo.so.1 ||
	{ echo "FAIL gcc could not build the real hook's root"; exit 1; }
for entry in "dev-libs/foo-1.2 /usr/lib/libfoo.so.1" "app-misc/app-1 /usr/bin/app"; do
	mkdir -p "${real}/root/var/db/pkg/${entry% *}"
	echo 0 > "${real}/root/var/db/pkg/${entry% *}/SLOT"
	echo "obj ${entry#* } 0 0" > "${real}/root/var/db/pkg/${entry% *}/CONTENTS"
done
export ABITAG=${real_abitag}
CATEGORY=dev-libs PN=foo PF=foo-1.3 SLOT=0/1 D=${real}/image/ ROOT=${real}/root/ REPLACING_VERSIONS=1.2
out=$(post_pkg_preinst 2>&1)
expect "the real preview of a merge that breaks app fails no merge by default" 0 $?
[[ ${out} == *"/usr/bin/app: 1 symbol it imports that the merge removes: foo_b"* &&
	${out} == *"app-misc/app-1:0"* ]]
expect "and names the program and its package" 0 $?
out=$(ABITAG_PREVIEW_STRICT=1 post_pkg_preinst 2>&1)
expect "ABITAG_PREVIEW_STRICT=1 fails it" 1 $?
[[ ${out} == *"eerror: abitag preview: merging dev-libs/foo-1.3 breaks what is installed"* ]]
expect "saying why" 0 $?
cp "${real}/root/usr/lib/libfoo.so.1" "${real}/image/usr/lib/libfoo.so.1"
out=$(ABITAG_PREVIEW_STRICT=1 post_pkg_preinst 2>&1)
expect "an image that removes nothing passes, strict too" 0 $?
[[ ${out} == *"Nothing breaks"* ]]
expect "and says so" 0 $?
out=$(ABITAG_PREVIEW_STRICT=1 PN=bar post_pkg_preinst 2>&1)
expect "a package the root does not have is an abitag error, which fails no merge" 0 $?
[[ ${out} == *"abitag: dev-libs/bar:0: no package of that name is installed under the root"* ]]
expect "and is one line" 0 $?
exit "${failures}"
) || failures=$((failures + $?))
fi

[[ ${failures} == 0 ]] && echo "hooks: all passed"
exit $((failures > 0))
