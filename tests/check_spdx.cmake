# SPDX-License-Identifier: MIT
# Checks that every source file of the project (C++ sources and headers,
# CMake files, scripts) says its licence in an SPDX line near its top
# (after the shebang of a script). Fixtures' data is not source.
#
# usage: cmake -DSOURCE_DIR=<project root> -P check_spdx.cmake
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=DIR -P check_spdx.cmake")
endif()

set(folders fingerprint elf packages analyzers tagger audit adopt cli fuzz tests hooks)
set(patterns "")
foreach(folder IN LISTS folders)
  list(APPEND patterns ${SOURCE_DIR}/${folder}/*.h ${SOURCE_DIR}/${folder}/*.cpp
       ${SOURCE_DIR}/${folder}/*.cmake ${SOURCE_DIR}/${folder}/CMakeLists.txt ${SOURCE_DIR}/${folder}/*.sh)
endforeach()
file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR} ${patterns})
file(GLOB_RECURSE scripts RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/scripts/* ${SOURCE_DIR}/hooks/*)
list(APPEND files CMakeLists.txt ${scripts})

set(missing "")
foreach(file IN LISTS files)
  if(file MATCHES "^tests/fixtures/")
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/${file} head LIMIT_COUNT 3)
  if(NOT head MATCHES "SPDX-License-Identifier: MIT")
    list(APPEND missing "${file}")
  endif()
endforeach()

if(missing)
  foreach(file IN LISTS missing)
    message("${file}: no SPDX-License-Identifier line at its top")
  endforeach()
  list(LENGTH missing count)
  message(FATAL_ERROR "${count} source files lack an SPDX line")
endif()
message(STATUS "every source file has an SPDX line")
