# What `cmake --install` puts under the prefix (GNUInstallDirs; the Debian package holds the same files under /usr):
#   bin/cnnbp                                   the program
#   lib/libcnnbp.a                              the library
#   include/cnnbp/**.hpp                        its public headers, laid out as in src/lib/cnnbp, and cnnbp/version.hpp
#   lib/cmake/cnnbp/                            the CMake package: find_package(cnnbp 0.2) -> cnnbp::cnnbp
#   lib/pkgconfig/cnnbp.pc                      pkg-config --cflags --libs cnnbp
#   share/cnnbp/golden/                         the golden suite
#   share/doc/cnnbp/                            LICENSE, CHANGELOG.md, README.md, and html/ when the docs are built
#   share/man/man1/cnnbp.1                      the man page, when the docs are built
include(CMakePackageConfigHelpers)

install(TARGETS cnnbp_lib EXPORT cnnbpTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# cmake --install --strip (and cpack, CPACK_STRIP_FILES) strips the program; CMake leaves static libraries alone, so the
# debug information of a RelWithDebInfo build (most of libcnnbp.a's ~90 MB) is removed here, the symbols kept.
install(CODE "if(CMAKE_INSTALL_DO_STRIP)
  execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
    \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:cnnbp_lib>\" COMMAND_ERROR_IS_FATAL ANY)
endif()")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/lib/cnnbp/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cnnbp
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/cnnbp/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cnnbp)
if(CNNBP_CLI)
  install(TARGETS cnnbp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/golden/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cnnbp/golden)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CHANGELOG.md ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The HTML docs as built. html/mathjax is a symbolic link to /usr/share/javascript/mathjax (Debian's libjs-mathjax) and
# is installed as that same link: the pages render offline wherever libjs-mathjax is installed.
if(CNNBP_DOCS)
  install(DIRECTORY ${PROJECT_BINARY_DIR}/docs/html DESTINATION ${CMAKE_INSTALL_DOCDIR})
  install(FILES ${PROJECT_BINARY_DIR}/cnnbp.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# The CMake package. SameMinorVersion: before 1.0 a minor release may change the API (0.2.0 restructured the op
# table), so find_package(cnnbp 0.2) accepts 0.2.x only, never 0.1 or 0.3.
set(CNNBP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cnnbp)
install(EXPORT cnnbpTargets NAMESPACE cnnbp:: DESTINATION ${CNNBP_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cnnbpConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cnnbpConfig.cmake INSTALL_DESTINATION ${CNNBP_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cnnbpConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cnnbpConfig.cmake ${PROJECT_BINARY_DIR}/cnnbpConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/cnnbpArmadillo.cmake DESTINATION ${CNNBP_CMAKE_DIR})

# The pkg-config file, relocatable: its prefix is found from where the file lies (${pcfiledir}), so that
# cmake --install --prefix DIR and the Debian package (/usr) both get a correct one.
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(CNNBP_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(CNNBP_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
file(RELATIVE_PATH CNNBP_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" CNNBP_PC_TO_PREFIX "${CNNBP_PC_TO_PREFIX}")
# the library's fast paths use OpenMP: a program that links it links OpenMP's runtime too
set(CNNBP_PC_OPENMP "")
if(CNNBP_OPENMP)
  set(CNNBP_PC_OPENMP "-fopenmp")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/cnnbp.pc.in ${PROJECT_BINARY_DIR}/cnnbp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cnnbp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
