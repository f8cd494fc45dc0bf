/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OTA_TYPE_DEPLOYMENT (ota_deployment_get_type ())
G_DECLARE_FINAL_TYPE (OtaDeployment, ota_deployment, OTA, DEPLOYMENT, GObject)

OtaDeployment *ota_deployment_new_from_variant (GVariant *value) G_GNUC_WARN_UNUSED_RESULT;

const gchar *ota_deployment_get_osname (OtaDeployment *self);
const gchar *ota_deployment_get_checksum (OtaDeployment *self);
const gchar *ota_deployment_get_version (OtaDeployment *self);
gint ota_deployment_get_serial (OtaDeployment *self);
gint ota_deployment_get_index (OtaDeployment *self);
const gchar *ota_deployment_get_origin (OtaDeployment *self);
gboolean ota_deployment_get_booted (OtaDeployment *self);
gboolean ota_deployment_get_staged (OtaDeployment *self);
gboolean ota_deployment_get_pinned (OtaDeployment *self);

G_END_DECLS
