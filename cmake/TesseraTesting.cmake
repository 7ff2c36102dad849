# tessera_add_mpi_test(<name> TARGET <exe> RANKS <n>... [THREADS <t>] [ARGS ...] [LABELS ...])
# Registers one ctest per rank count, launched through MPIEXEC_EXECUTABLE with the
# oversubscription and run-as-root flags this project's test machines need, with PROCESSORS
# set so ctest -j does not overload the machine and OMP_NUM_THREADS pinned.
set(TESSERA_MPIEXEC_PREFLAGS --oversubscribe CACHE STRING "Extra mpiexec flags for tests")
# TESSERA_OPTIONS is emptied: options a developer exported must not change what the tests run.
set(TESSERA_TEST_ENV "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;TESSERA_OPTIONS=")

function(tessera_add_mpi_test name)
  cmake_parse_arguments(T "" "TARGET;THREADS;TIMEOUT" "RANKS;ARGS;LABELS" ${ARGN})
  if(NOT T_THREADS)
    set(T_THREADS 1)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  foreach(ranks IN LISTS T_RANKS)
    set(test_name ${name}.np${ranks})
    add_test(NAME ${test_name}
      COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${TESSERA_MPIEXEC_PREFLAGS}
              ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${T_TARGET}> ${MPIEXEC_POSTFLAGS} ${T_ARGS})
    math(EXPR procs "${ranks} * ${T_THREADS}")
    set_tests_properties(${test_name} PROPERTIES
      PROCESSORS ${procs}
      TIMEOUT ${T_TIMEOUT}
      LABELS "mpi;${T_LABELS}"
      ENVIRONMENT "${TESSERA_TEST_ENV};OMP_NUM_THREADS=${T_THREADS}")
  endforeach()
endfunction()

# tessera_add_script_test(<name> SCRIPT <file> [ARGS ...] [PROCESSORS n] [LABELS ...])
# End-to-end tests written as bash scripts that run the apps the way users do.
function(tessera_add_script_test name)
  cmake_parse_arguments(T "" "SCRIPT;PROCESSORS;TIMEOUT" "ARGS;LABELS" ${ARGN})
  if(NOT T_PROCESSORS)
    set(T_PROCESSORS 2)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND bash ${T_SCRIPT} ${T_ARGS})
  set_tests_properties(${name} PROPERTIES
    PROCESSORS ${T_PROCESSORS}
    TIMEOUT ${T_TIMEOUT}
    LABELS "e2e;${T_LABELS}"
    ENVIRONMENT "${TESSERA_TEST_ENV};MPIEXEC=${MPIEXEC_EXECUTABLE};BIN_DIR=${PROJECT_BINARY_DIR}/bin;WORK_ROOT=${CMAKE_CURRENT_BINARY_DIR}/work")
endfunction()
