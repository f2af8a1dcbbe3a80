// SPDX-License-Identifier: MIT
// register.sh as `Setup register --gen-script` writes it: per library
// component a block
//     #!/bin/sh
//     export VAR='value'            (and unset/cd lines)
//     echo '<InstalledPackageInfo>' | '/usr/bin/ghc-pkg' 'update' '-' ... "$@"
// Cabal >= 3.8 writes `printf '%s' '<...>'` instead of `echo '<...>'`. Every
// word is single-quoted and a quote inside is written '\'' (close, escaped
// quote, reopen); nothing else is escaped, newlines stay literal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Error.h>

namespace abitag::ghc {

// Whether TEXT has at least one line that starts with a registration
// (`echo '` or `printf '%s' '`).
bool has_registration(std::string_view text);

// The package descriptions fed to ghc-pkg, one per component, unquoted, in
// script order. Fails when a quote never closes or a description is not
// piped into a command.
llvm::Expected<std::vector<std::string>> extract_registrations(std::string_view script);

// Whether a file starting with HEAD is a shell script, and so read as a
// register script rather than as InstalledPackageInfo.
bool looks_like_register_script(std::string_view head);

} // namespace abitag::ghc
