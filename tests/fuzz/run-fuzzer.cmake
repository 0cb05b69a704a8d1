# SPDX-License-Identifier: Apache-2.0
# Runs one fuzz target for a bounded time, as CTest test fuzz.<target>:
#   cmake -DFUZZER=<binary> -DSEEDS=<seed dir> -DWORK=<dir in the build tree>
#         -DSECONDS=<n> [-DDICT=<dictionary>] -P run-fuzzer.cmake
# The seeds are copied to WORK/corpus first (the fuzzer adds to its corpus,
# and must never write into the source tree); a crashing, leaking or slow
# input is saved under WORK/artifacts/ and fails the test.
foreach(var FUZZER SEEDS WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run-fuzzer.cmake: -D${var}=... is missing")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK}/corpus)
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
file(GLOB seeds ${SEEDS}/*)
if(NOT seeds)
  message(FATAL_ERROR "no seeds in ${SEEDS}")
endif()
file(COPY ${seeds} DESTINATION ${WORK}/corpus)

set(args -max_total_time=${SECONDS} -timeout=5 -rss_limit_mb=1024 -print_final_stats=1
    -artifact_prefix=${WORK}/artifacts/)
if(DICT)
  list(APPEND args -dict=${DICT})
endif()
file(GLOB earlier_finds ${WORK}/artifacts/*)
list(JOIN args " " shown)
message(STATUS "running ${FUZZER} ${shown} ${WORK}/corpus")
execute_process(COMMAND ${FUZZER} ${args} ${WORK}/corpus
                WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB finds ${WORK}/artifacts/*)
  if(earlier_finds)
    list(REMOVE_ITEM finds ${earlier_finds})
  endif()
  message(FATAL_ERROR "${FUZZER} failed (${rc}). Input it saved: ${finds}\n"
          "Reproduce with: ${FUZZER} <input>")
endif()
