# Run at install time (install(SCRIPT)): writes hearthd.service and the settings file for the prefix
# being installed to. The settings file lives in /etc/default for the /usr prefix (the package),
# else under PREFIX/etc/default; an existing settings file is kept.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(HEARTH_DEFAULTS_DIR "/etc/default")
else()
  set(HEARTH_DEFAULTS_DIR "${CMAKE_INSTALL_PREFIX}/etc/default")
endif()
set(HEARTH_DEFAULTS_FILE "${HEARTH_DEFAULTS_DIR}/hearthd")
set(HEARTH_BINDIR "${CMAKE_INSTALL_PREFIX}/${HEARTH_BINDIR_NAME}")
set(HEARTH_DOCDIR "${CMAKE_INSTALL_PREFIX}/${HEARTH_DOCDIR_NAME}")
set(unit_dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system")

configure_file("${HEARTH_PACKAGING_DIR}/hearthd.service.in" "${unit_dir}/hearthd.service" @ONLY)
file(CHMOD "${unit_dir}/hearthd.service" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
message(STATUS "Installing: ${unit_dir}/hearthd.service")
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${unit_dir}/hearthd.service")

set(defaults "$ENV{DESTDIR}${HEARTH_DEFAULTS_FILE}")
if(EXISTS "${defaults}")
  message(STATUS "Up-to-date (kept): ${defaults}")
else()
  # file(INSTALL) puts DESTDIR in front by itself.
  file(INSTALL "${HEARTH_PACKAGING_DIR}/hearthd.default" DESTINATION "${HEARTH_DEFAULTS_DIR}"
       RENAME hearthd PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
