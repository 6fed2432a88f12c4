// Compiled only for the precompiled header that every test program reuses (tests/CMakeLists.txt).
