# hearth_module(NAME DEPS...) builds the static library hearth::NAME from the folder's
# non-test sources, and hearth_NAME_tests from its *_test.cpp files.
function(hearth_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;SOURCES;TEST_DEPS" ${ARGN})
  add_library(hearth_${name} STATIC ${ARG_SOURCES})
  add_library(hearth::${name} ALIAS hearth_${name})
  target_include_directories(hearth_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(hearth_${name} PUBLIC ${ARG_DEPS})
endfunction()

# hearth_tests(TARGET SOURCES... DEPS ...) adds a Catch2 test executable registered with ctest.
# The fuzz build has no unit tests.
function(hearth_tests target)
  if(HEARTH_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PROPERTIES" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} Catch2::Catch2WithMain)
  target_compile_definitions(${target} PRIVATE
    HEARTH_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    HEARTH_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  catch_discover_tests(${target} ${ARG_PROPERTIES})
endfunction()
