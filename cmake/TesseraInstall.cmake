# Installs what a user or a downstream project needs:
#   bin/                      the apps and the Python tools (tessera-scaling, tessera-report, ...)
#   include/tessera/...       the headers, included as <tessera/FOLDER/NAME.hpp>
#   lib/                      libtessera and libtessera_kernels (static, or shared with
#                             -DBUILD_SHARED_LIBS=ON)
#   lib/cmake/tessera/        find_package(tessera) -> tessera::tessera (and tessera::kernels)
#   lib/pkgconfig/tessera.pc  pkg-config --cflags --libs tessera, for non-CMake builds
include(CMakePackageConfigHelpers)
install(TARGETS tessera tessera_kernels EXPORT tesseraTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(folder IN LISTS TESSERA_HEADER_FOLDERS)
  if(folder STREQUAL "kernels")
    set(source ${PROJECT_SOURCE_DIR}/kernels/)
  else()
    set(source ${PROJECT_SOURCE_DIR}/src/${folder}/)
  endif()
  # toml_config.hpp is the apps' config-file reader, private to the library (toml11 stays out).
  install(DIRECTORY ${source} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera/${folder}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "toml_config.hpp" EXCLUDE)
endforeach()
install(FILES ${TESSERA_INCLUDE_TREE}/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera)

# The tools users run (the comparisons with other codes stay in the source tree); they find
# the apps beside them.
install(PROGRAMS
  ${PROJECT_SOURCE_DIR}/tools/tessera-scaling
  ${PROJECT_SOURCE_DIR}/tools/tessera-report
  ${PROJECT_SOURCE_DIR}/tools/tessera-run
  ${PROJECT_SOURCE_DIR}/tools/tessera-import
  ${PROJECT_SOURCE_DIR}/tools/tessera-campaign
  ${PROJECT_SOURCE_DIR}/tools/tessera-plot-hist
  ${PROJECT_SOURCE_DIR}/tools/tessera-plot-training
  DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/tools/tessera_results.py ${PROJECT_SOURCE_DIR}/tools/tessera_model.py
  DESTINATION ${CMAKE_INSTALL_BINDIR})

install(FILES ${PROJECT_SOURCE_DIR}/cmake/TesseraFindParallelHDF5.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tessera)
install(EXPORT tesseraTargets NAMESPACE tessera:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tessera)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tesseraConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tesseraConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tessera)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tesseraConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tesseraConfig.cmake ${PROJECT_BINARY_DIR}/tesseraConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tessera)

# pkg-config: MPI and parallel HDF5 through their own .pc files where the system has them
# (Debian: ompi-cxx or mpich, hdf5-openmpi or hdf5-mpich), else as the flags this build used;
# OpenMP and BLAS as flags. CLI11, toml11 and nlohmann-json are header-only and in the default
# include path on Debian.
find_package(PkgConfig QUIET)
# The first of the candidate modules that pkg-config knows, or "".
function(tessera_first_pc_module out)
  set(found "")
  foreach(module IN LISTS ARGN)
    if(PkgConfig_FOUND AND NOT found)
      pkg_check_modules(TESSERA_PC_${module} QUIET ${module})
      if(TESSERA_PC_${module}_FOUND)
        set(found ${module})
      endif()
    endif()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()
tessera_first_pc_module(TESSERA_PC_REQUIRES ompi-cxx mpich)
tessera_first_pc_module(tessera_pc_hdf5 hdf5-openmpi hdf5-mpich hdf5-mpi)
set(TESSERA_PC_CFLAGS "${OpenMP_CXX_FLAGS}")
set(TESSERA_PC_LIBS "${OpenMP_CXX_FLAGS}")
if(tessera_pc_hdf5)
  string(APPEND TESSERA_PC_REQUIRES " ${tessera_pc_hdf5}")
else()
  foreach(dir IN LISTS HDF5_C_INCLUDE_DIRS)
    string(APPEND TESSERA_PC_CFLAGS " -I${dir}")
  endforeach()
  foreach(lib IN LISTS HDF5_C_LIBRARIES)
    string(APPEND TESSERA_PC_LIBS " ${lib}")
  endforeach()
endif()
foreach(lib IN LISTS BLAS_LIBRARIES)
  string(APPEND TESSERA_PC_LIBS " ${lib}")
endforeach()
# Relocatable: the prefix is found from the .pc file's own place (wherever it is installed).
file(RELATIVE_PATH TESSERA_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/tessera.pc.in ${PROJECT_BINARY_DIR}/tessera.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tessera.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
