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

# pkg-config: MPI through its own .pc file (Open MPI's ompi-cxx), parallel HDF5, BLAS and
# OpenMP as the flags this build used. CLI11, toml11 and nlohmann-json are header-only and in
# the default include path on Debian.
set(TESSERA_PC_CFLAGS "${OpenMP_CXX_FLAGS}")
foreach(dir IN LISTS HDF5_C_INCLUDE_DIRS)
  string(APPEND TESSERA_PC_CFLAGS " -I${dir}")
endforeach()
set(TESSERA_PC_LIBS "${OpenMP_CXX_FLAGS}")
foreach(lib IN LISTS HDF5_C_LIBRARIES BLAS_LIBRARIES)
  string(APPEND TESSERA_PC_LIBS " ${lib}")
endforeach()
# Relocatable: the prefix is found from the .pc file's own place (wherever it is installed).
file(RELATIVE_PATH TESSERA_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/tessera.pc.in ${PROJECT_BINARY_DIR}/tessera.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tessera.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
