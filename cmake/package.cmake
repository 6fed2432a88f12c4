# `cpack -G DEB` in the build folder: the files of cmake/install.cmake as one Debian package, cnnbp_VERSION_ARCH.deb,
# installed under /usr (/usr/bin/cnnbp, /usr/share/cnnbp/golden, /usr/lib/cmake/cnnbp, ...).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cnnbp)
set(CPACK_PACKAGE_VENDOR "the cnnbp authors")
set(CPACK_PACKAGE_CONTACT "the cnnbp authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "Every backward formula of conv2d, conv_transpose2d, pooling, linear, the activations and the losses is derived, \
implemented and checked three ways. The program cnnbp evaluates and checks case files, runs the golden suite \
(/usr/share/cnnbp/golden) and hunts for bugs in any implementation speaking its JSON-lines protocol. The package also \
holds the static library with its headers, CMake package (find_package(cnnbp)) and pkg-config file.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # no debug information in the package (cmake/install.cmake strips libcnnbp.a too)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "the cnnbp authors")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# The runtime dependencies of bin/cnnbp: dpkg-shlibdeps (dpkg-dev) reads them from the binary; without it, the packages
# that hold the libraries `readelf -d build/cnnbp` lists as NEEDED on Debian 12 (Armadillo pulls in OpenBLAS itself).
find_program(CNNBP_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(CNNBP_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libarmadillo11, libstdc++6, libgcc-s1, libc6")
endif()
# The HTML docs load MathJax from libjs-mathjax; building against the library needs the headers of its dependencies.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libjs-mathjax")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libarmadillo-dev, nlohmann-json3-dev")
include(CPack)
