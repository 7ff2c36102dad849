# Script mode (cmake -P), run at every build: writes the version header OUT from IN with the
# current git revision ("<hash>", or "<hash>-dirty" for uncommitted changes), and rewrites it
# only when that changed, so run records name the revision the binary was really built from.
#   -DSOURCE_DIR=<repo> -DIN=<version.hpp.in> -DOUT=<version.hpp> -DPROJECT_VERSION=<x.y.z>
set(TESSERA_GIT_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SOURCE_DIR}/.git")
  # --exclude '*': ignore tags, so the result is always "<hash>" or "<hash>-dirty".
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12 --exclude=*
    WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(revision)
    set(TESSERA_GIT_REVISION "${revision}")
  endif()
endif()
configure_file(${IN} ${OUT} @ONLY)  # leaves OUT untouched when the content is the same
