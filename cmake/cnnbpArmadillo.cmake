# Armadillo as a target, cnnbp::armadillo. Debian's libarmadillo-dev installs no CMake package (its ArmadilloConfig
# files sit in /usr/share/doc), so find_package(Armadillo) runs CMake's FindArmadillo module, which only sets
# ARMADILLO_INCLUDE_DIRS and ARMADILLO_LIBRARIES. Both the build tree (CMakeLists.txt) and the installed package
# (cnnbpConfig.cmake) include this file after finding Armadillo, so the exported cnnbp::cnnbp names this target rather
# than the paths of the machine that built it. GLOBAL: a project that add_subdirectory()s cnnbp links it from its own
# directories.
if(NOT TARGET cnnbp::armadillo)
  add_library(cnnbp::armadillo INTERFACE IMPORTED GLOBAL)
  set_target_properties(cnnbp::armadillo PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${ARMADILLO_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${ARMADILLO_LIBRARIES}")
endif()
