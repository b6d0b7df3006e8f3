# `cmake --install` and the .deb (CPack's DEB generator): the three programs, the demo home, the
# OpenAPI document and the docs, the systemd unit and its settings file. The unit and the settings
# file are written at install time (cmake/install_service.cmake), so their paths follow the prefix
# installed to: /usr (the package) puts the settings in /etc/default/hearthd. docs/deployment.md.
include(GNUInstallDirs)

install(TARGETS hearthd hearthctl hearth-fleet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/sim/homes/demo.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/hearth/homes)
install(FILES ${PROJECT_SOURCE_DIR}/hub/openapi.json DESTINATION ${CMAKE_INSTALL_DATADIR}/hearth)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/deployment.md ${PROJECT_SOURCE_DIR}/docs/api.md
              ${PROJECT_SOURCE_DIR}/dist/hearthd.conf
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(CODE "set(HEARTH_PACKAGING_DIR \"${PROJECT_SOURCE_DIR}/packaging\")
set(HEARTH_BINDIR_NAME \"${CMAKE_INSTALL_BINDIR}\")
set(HEARTH_DOCDIR_NAME \"${CMAKE_INSTALL_DOCDIR}\")")
install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/install_service.cmake)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hearth)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Hearth")
set(CPACK_PACKAGE_CONTACT "Hearth maintainers <hearth@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "local-first home hub: MQTT devices, rules, scenes and voice")
set(CPACK_PACKAGE_DESCRIPTION "Hearth keeps a registry of the home's MQTT devices (native, Home Assistant discovery,
Zigbee2MQTT, Tasmota), runs rules and scenes, understands short utterances and serves a REST and
WebSocket API. The package holds hearthd with its systemd unit, hearthctl and the device simulator hearth-fleet.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps; the zone data is read at run time.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mosquitto")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto-clients")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst
    ${PROJECT_SOURCE_DIR}/packaging/prerm ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)  # the package carries no debug information
include(CPack)
