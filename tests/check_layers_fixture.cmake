# SPDX-License-Identifier: MIT
# Runs check_layers.cmake on tests/fixtures/layers, a tree that breaks each
# rule once, and passes only when the check fails and reports exactly the
# four crossings the fixture holds: the check is itself checked.
#
# usage: cmake -DCHECK=check_layers.cmake -DFIXTURE=fixtures/layers -P check_layers_fixture.cmake
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${FIXTURE} -P ${CHECK}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(result EQUAL 0)
  message(FATAL_ERROR "the layer check passed a tree that crosses the layers:\n${output}")
endif()

set(expected
  "analyzers/two/two.cpp: includes analyzers/one/parts.h, a header of the one analyzer's own"
  "fingerprint/core.h: includes CLI/CLI.hpp: CLI11 belongs to cli/ and the analyzers' options"
  "fingerprint/core.h: includes audit/report.h: fingerprint/ is below audit/"
  "tagger/store.cpp: includes analyzers/one/parts.h, a header of the one analyzer's own (use analyzers/one/one.h)")
string(REPLACE "\n" ";" lines "${output}")
set(reported "")
foreach(line IN LISTS lines)
  if(line MATCHES ": includes ")
    list(APPEND reported "${line}")
  endif()
endforeach()
list(SORT reported)
if(NOT reported STREQUAL expected)
  string(REPLACE ";" "\n" reported_text "${reported}")
  string(REPLACE ";" "\n" expected_text "${expected}")
  message(FATAL_ERROR "the layer check reported\n${reported_text}\ninstead of\n${expected_text}")
endif()
message(STATUS "the layer check reports the fixture's four crossings")
