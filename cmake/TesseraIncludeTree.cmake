# The include tree: every header is included as <tessera/FOLDER/NAME.hpp>, in this build as
# once installed, so no generic "src/..." path can clash with another library's. In the build
# tree, include/tessera/<folder> links to src/<folder> (and include/tessera/kernels to
# kernels/); the generated include/tessera/version.hpp sits beside them. Installed, the same
# layout is copied under <prefix>/include/tessera.
set(TESSERA_INCLUDE_ROOT ${PROJECT_BINARY_DIR}/include)
set(TESSERA_INCLUDE_TREE ${TESSERA_INCLUDE_ROOT}/tessera)
file(MAKE_DIRECTORY ${TESSERA_INCLUDE_TREE})
file(GLOB tessera_source_folders LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/src/*)
set(TESSERA_HEADER_FOLDERS kernels)
foreach(folder IN LISTS tessera_source_folders)
  if(IS_DIRECTORY ${folder})
    get_filename_component(name ${folder} NAME)
    file(CREATE_LINK ${folder} ${TESSERA_INCLUDE_TREE}/${name} SYMBOLIC)
    list(APPEND TESSERA_HEADER_FOLDERS ${name})
  endif()
endforeach()
file(CREATE_LINK ${PROJECT_SOURCE_DIR}/kernels ${TESSERA_INCLUDE_TREE}/kernels SYMBOLIC)
