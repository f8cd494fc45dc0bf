/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/**
 * OTA_DBUS_SERVICE:
 *
 * The well-known bus name of otad on the system bus.
 *
 * Since: 0.1
 */
#define OTA_DBUS_SERVICE "org.otad.Updater"

/**
 * OTA_DBUS_PATH:
 *
 * The object path of the updater object.
 *
 * Since: 0.1
 */
#define OTA_DBUS_PATH "/org/otad/Updater"

/**
 * OTA_DBUS_INTERFACE:
 *
 * The D-Bus interface implemented at %OTA_DBUS_PATH.
 *
 * Since: 0.1
 */
#define OTA_DBUS_INTERFACE "org.otad.Updater1"

/**
 * OTA_DBUS_INTERFACE_VERSION:
 *
 * The minor version of %OTA_DBUS_INTERFACE this library was built against.
 *
 * Since: 0.1
 */
#define OTA_DBUS_INTERFACE_VERSION 4
