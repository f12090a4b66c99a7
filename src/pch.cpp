// Compiles the precompiled header once (src/CMakeLists.txt reuses it everywhere).
