/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-http.h"

G_BEGIN_DECLS

/*
 * OtadReportQueue: requests to the device registry that must reach the server (events,
 * manifests, system info) wait here, one fsync'd file per request named by a sequence
 * number, so they survive the server being away and otad restarting.  Delivery is in
 * order; an item is deleted only after the server accepted it (or refused it for good),
 * so a crash between the two can deliver it twice: events carry a unique id for that.
 * The queue is bounded: when full, the oldest item is dropped with a warning.
 */
#define OTAD_TYPE_REPORT_QUEUE (otad_report_queue_get_type ())
G_DECLARE_FINAL_TYPE (OtadReportQueue, otad_report_queue, OTAD, REPORT_QUEUE, GObject)

#define OTAD_REPORT_QUEUE_DEFAULT_MAX 1000

OtadReportQueue *otad_report_queue_new (const gchar *directory, guint max_items,
                                        GError **error) G_GNUC_WARN_UNUSED_RESULT;

void otad_report_queue_set_max_items (OtadReportQueue *self, guint max_items);

/* @path is relative to the server base ("events", "director/manifest"), or an absolute URL */
gboolean otad_report_queue_push (OtadReportQueue *self, const gchar *method, const gchar *path,
                                 const gchar *json_body, GError **error);
guint otad_report_queue_get_length (OtadReportQueue *self);
/* exposed for the fuzzer: one item file, validated */
gboolean otad_report_queue_parse_item (const gchar *data, gsize len, gchar **out_method,
                                       gchar **out_path, gchar **out_body, GError **error);

/*
 * Sends queued items in order to @base_url.  Stops at the first one the server could not
 * take now (network, TLS, 5xx, 429): that one and the rest stay queued and the error is
 * returned.  A 404 on "events" means the server has no event support: dropped quietly.
 * @delivered (nullable) counts the items the server accepted.
 */
gboolean otad_report_queue_flush (OtadReportQueue *self, OtadHttp *http, const gchar *base_url,
                                  guint *delivered, GCancellable *cancellable, GError **error);

G_END_DECLS
