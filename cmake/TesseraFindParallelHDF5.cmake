# Finds HDF5 and insists on the parallel (MPI-IO) build: checkpoints are written collectively,
# which a serial HDF5 cannot do. Defines the imported target tessera::hdf5.
# FindHDF5 probes with the C compiler.
if(NOT CMAKE_C_COMPILER_LOADED)
  enable_language(C)
endif()
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "Tessera needs the parallel (MPI-IO) build of HDF5, but the HDF5 found "
    "(${HDF5_C_INCLUDE_DIRS}) is serial. On Debian/Ubuntu install libhdf5-openmpi-dev "
    "(tools/install-deps.sh does this), or point HDF5_ROOT at a parallel HDF5 installation.")
endif()
if(NOT TARGET tessera::hdf5)
  add_library(tessera::hdf5 INTERFACE IMPORTED)
  if(TARGET hdf5::hdf5)
    target_link_libraries(tessera::hdf5 INTERFACE hdf5::hdf5)
  else()
    target_include_directories(tessera::hdf5 INTERFACE ${HDF5_C_INCLUDE_DIRS})
    target_link_libraries(tessera::hdf5 INTERFACE ${HDF5_C_LIBRARIES})
    target_compile_definitions(tessera::hdf5 INTERFACE ${HDF5_C_DEFINITIONS})
  endif()
endif()
