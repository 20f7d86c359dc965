# Installing lockstep, and using it from its build tree (included by the top
# CMakeLists.txt after the targets exist).
#
#   <prefix>/include/lockstep/        the include root: lockstep.hpp, lockstep_version.hpp,
#                                     runtime/ sim/ primitives/ mn/ threads/ exploration/ testing/
#   <prefix>/lib/liblockstep.a, liblockstep_exploration.a
#   <prefix>/lib/cmake/lockstep/      lockstep-config.cmake (+ -version, the targets files)
#   <prefix>/lib/pkgconfig/lockstep.pc, lockstep-exploration.pc
#   <prefix>/lib/lockstep/objects-*/  the leak listener's object file (testing component)
#
# Three export sets, so that find_package(lockstep) without COMPONENTS never
# needs nlohmann-json, Catch2 or RapidCheck: lockstep-targets
# (lockstep::lockstep), lockstep-exploration-targets (lockstep::exploration)
# and lockstep-testing-targets (lockstep::testing, lockstep::leak_listener).
include(CMakePackageConfigHelpers)

set(LOCKSTEP_INSTALL_LIBDIR lib)
set(LOCKSTEP_INSTALL_INCLUDEDIR include/lockstep)
set(LOCKSTEP_INSTALL_CMAKEDIR ${LOCKSTEP_INSTALL_LIBDIR}/cmake/lockstep)
set(LOCKSTEP_BOOST_VERSION 1.74)  # as find_package(Boost) asks in CMakeLists.txt

install(TARGETS lockstep EXPORT lockstep-targets ARCHIVE DESTINATION ${LOCKSTEP_INSTALL_LIBDIR})
install(FILES ${LOCKSTEP_PUBLIC_HEADERS_ROOT} DESTINATION ${LOCKSTEP_INSTALL_INCLUDEDIR})
install(DIRECTORY ${LOCKSTEP_PUBLIC_HEADER_DIRS} DESTINATION ${LOCKSTEP_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "tests" EXCLUDE)
install(EXPORT lockstep-targets NAMESPACE lockstep:: DESTINATION ${LOCKSTEP_INSTALL_CMAKEDIR})
# The same targets straight from this build tree, for a consumer that points
# lockstep_DIR (or CMAKE_PREFIX_PATH) at it without installing.
export(EXPORT lockstep-targets NAMESPACE lockstep::
       FILE ${CMAKE_CURRENT_BINARY_DIR}/lockstep-targets.cmake)

if(LOCKSTEP_EXPLORATION)
  install(TARGETS lockstep_exploration EXPORT lockstep-exploration-targets
          ARCHIVE DESTINATION ${LOCKSTEP_INSTALL_LIBDIR})
  install(EXPORT lockstep-exploration-targets NAMESPACE lockstep:: DESTINATION ${LOCKSTEP_INSTALL_CMAKEDIR})
  export(EXPORT lockstep-exploration-targets NAMESPACE lockstep::
         FILE ${CMAKE_CURRENT_BINARY_DIR}/lockstep-exploration-targets.cmake)
  configure_file(cmake/lockstep-exploration.pc.in ${CMAKE_CURRENT_BINARY_DIR}/lockstep-exploration.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lockstep-exploration.pc DESTINATION ${LOCKSTEP_INSTALL_LIBDIR}/pkgconfig)
endif()

if(LOCKSTEP_TESTING)
  install(TARGETS lockstep_testing leak_listener EXPORT lockstep-testing-targets
          OBJECTS DESTINATION ${LOCKSTEP_INSTALL_LIBDIR}/lockstep)
  install(EXPORT lockstep-testing-targets NAMESPACE lockstep:: DESTINATION ${LOCKSTEP_INSTALL_CMAKEDIR})
  export(EXPORT lockstep-testing-targets NAMESPACE lockstep::
         FILE ${CMAKE_CURRENT_BINARY_DIR}/lockstep-testing-targets.cmake)
endif()

# lockstep-config.cmake: one for the install (paths relative to it), and the
# same text beside the build tree's targets files.
configure_package_config_file(cmake/lockstep-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/lockstep-config.cmake
  INSTALL_DESTINATION ${LOCKSTEP_INSTALL_CMAKEDIR})
# 0.x.y: a newer minor may break the API, but SameMajorVersion is what the
# package promises from 1.0 on, and a consumer asks for 0.1 today.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/lockstep-config-version.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lockstep-config.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/lockstep-config-version.cmake
        DESTINATION ${LOCKSTEP_INSTALL_CMAKEDIR})

configure_file(cmake/lockstep.pc.in ${CMAKE_CURRENT_BINARY_DIR}/lockstep.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lockstep.pc DESTINATION ${LOCKSTEP_INSTALL_LIBDIR}/pkgconfig)
