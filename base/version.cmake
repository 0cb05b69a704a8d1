# SPDX-License-Identifier: Apache-2.0
# Writes base/version.hpp from base/version.hpp.in (cmake -P, on every build):
# RNH_SOURCE_DIR, RNH_OUTPUT and PROJECT_VERSION come from the caller. The file
# is only rewritten when the commit changed, so an unchanged tree rebuilds nothing.
set(RNH_COMMIT unknown)
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty
                  WORKING_DIRECTORY ${RNH_SOURCE_DIR} RESULT_VARIABLE failed
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT failed)
    set(RNH_COMMIT ${commit})
  endif()
endif()
configure_file(${RNH_SOURCE_DIR}/base/version.hpp.in ${RNH_OUTPUT} @ONLY)
