# SPDX-License-Identifier: MIT
# Checks that every #include points down the layers HACKING.md draws:
#
#   fingerprint/ (the core)  <-  elf/  <-  packages/  <-  analyzers/<name>/  <-  tagger/, audit/  <-  adopt/  <-  preview/  <-  cli/
#
# and that the rest of the code reaches an analyzer only through its public
# header analyzers/<name>/<name>.h. Tests and fuzz targets may include an
# analyzer's own headers: they test its parts directly. CLI11 is for the command
# line and the analyzers' option declarations only.
#
# usage: cmake -DSOURCE_DIR=<project root> -P check_layers.cmake
# Prints one line per offending include and fails when there is any.
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=DIR -P check_layers.cmake")
endif()

# What each layer may include of the project's own folders, besides itself.
set(allowed_fingerprint "")
set(allowed_elf "fingerprint")
set(allowed_packages "fingerprint;elf")
set(allowed_analyzers "fingerprint;elf;packages")
set(allowed_tagger "fingerprint;elf;packages;analyzers")
set(allowed_audit "fingerprint;elf;packages;analyzers;tagger")
set(allowed_adopt "fingerprint;elf;packages;analyzers;tagger;audit")
set(allowed_preview "fingerprint;elf;packages;analyzers;tagger;audit;adopt")
set(allowed_cli "fingerprint;elf;packages;analyzers;tagger;audit;adopt;preview")
set(allowed_fuzz "fingerprint;elf;packages;analyzers;tagger;audit;fuzz")
set(allowed_tests "fingerprint;elf;packages;analyzers;tagger;audit;adopt;preview;cli;tests")
set(layers fingerprint elf packages analyzers tagger audit adopt preview cli fuzz tests)
set(may_use_cli11 analyzers cli tests)
# The store keeps an analyzer's options as given; the tagger parses them again
# with the options the analyzer declares, so the audit can recompute a tag.
set(may_use_cli11_files tagger/analyzer_arguments.cpp)

set(problems "")
foreach(layer IN LISTS layers)
  file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR}
       ${SOURCE_DIR}/${layer}/*.h ${SOURCE_DIR}/${layer}/*.cpp)
  foreach(file IN LISTS files)
    file(STRINGS ${SOURCE_DIR}/${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    string(REGEX MATCH "^analyzers/([^/]+)/" own_analyzer "${file}")
    set(own_analyzer "${CMAKE_MATCH_1}")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"].*" "\\1" target "${line}")
      if(target MATCHES "^CLI/")
        if(NOT layer IN_LIST may_use_cli11 AND NOT file IN_LIST may_use_cli11_files)
          list(APPEND problems "${file}: includes ${target}: CLI11 belongs to cli/ and the analyzers' options")
        endif()
        continue()
      endif()
      string(REGEX MATCH "^([a-z_]+)/" top "${target}")
      set(top "${CMAKE_MATCH_1}")
      if(NOT top IN_LIST layers OR NOT EXISTS ${SOURCE_DIR}/${target})
        continue() # a system or library header
      endif()
      if(top STREQUAL layer)
        if(layer STREQUAL "analyzers" AND target MATCHES "^analyzers/([^/]+)/")
          set(target_analyzer "${CMAKE_MATCH_1}")
          if(NOT own_analyzer STREQUAL target_analyzer
             AND NOT target STREQUAL "analyzers/${target_analyzer}/${target_analyzer}.h")
            list(APPEND problems "${file}: includes ${target}, a header of the ${target_analyzer} analyzer's own")
          endif()
        endif()
        continue()
      endif()
      if(NOT top IN_LIST allowed_${layer})
        list(APPEND problems "${file}: includes ${target}: ${layer}/ is below ${top}/")
        continue()
      endif()
      # Above the analyzers, an analyzer is reached through its public header.
      if(top STREQUAL "analyzers" AND NOT layer MATCHES "^(tests|fuzz)$"
         AND target MATCHES "^analyzers/([^/]+)/(.+)$")
        set(name "${CMAKE_MATCH_1}")
        if(NOT target STREQUAL "analyzers/${name}/${name}.h")
          list(APPEND problems "${file}: includes ${target}, a header of the ${name} analyzer's own (use analyzers/${name}/${name}.h)")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()

if(problems)
  list(LENGTH problems count)
  foreach(problem IN LISTS problems)
    message("${problem}")
  endforeach()
  message(FATAL_ERROR "${count} includes cross the layers (HACKING.md draws them)")
endif()
message(STATUS "every include points down the layers")
