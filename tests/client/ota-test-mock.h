/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ota.h"

G_BEGIN_DECLS

/* The fixture of libota's C tests: python-dbusmock's otad template
 * (tests/templates/otad_updater.py) on a private dbus-daemon, a client, and what it
 * notified.  Every wait is bounded by TEST_WAIT_SECONDS, a guard against hangs, not a
 * timing assertion. */

#define TEST_WAIT_SECONDS 20

#define BOOTED_CHECKSUM "1111111111111111111111111111111111111111111111111111111111111111"
#define ROLLBACK_CHECKSUM "2222222222222222222222222222222222222222222222222222222222222222"
#define PENDING_CHECKSUM "3333333333333333333333333333333333333333333333333333333333333333"

typedef struct {
	GSubprocess *mock;	     /* (owned) (nullable) */
	GDBusConnection *connection; /* (owned): the test's own view of the bus */
	OtaClient *client;	     /* (owned) (nullable) */
	GPtrArray *notified;	     /* (owned) (element-type utf8) */
	GPtrArray *states;	     /* (owned) (element-type utf8): every state notified */
} Fixture;

/* the private bus (or one line naming the missing package); returns it, to put down */
GTestDBus *ota_test_mock_init (void);
const gchar *ota_test_mock_bus_address (void);

void fixture_set_up (Fixture *fixture, gconstpointer user_data);
void fixture_tear_down (Fixture *fixture, gconstpointer user_data);
void fixture_start_mock (Fixture *fixture, const gchar *params);
void fixture_stop_mock (Fixture *fixture);
GVariant *fixture_mock_call (Fixture *fixture, const gchar *method, GVariant *params);
void fixture_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data);
gboolean fixture_was_notified (Fixture *fixture, const gchar *name);
void fixture_wait_notify (Fixture *fixture, const gchar *name);
void fixture_wait_state (Fixture *fixture, OtaState state);
gboolean test_name_has_owner (GDBusConnection *connection);
void test_wait_for_owner (GDBusConnection *connection, gboolean want);

/* a GAsyncReadyCallback that keeps the result in *(GAsyncResult **) user_data */
void result_cb (GObject *source, GAsyncResult *res, gpointer user_data);
GAsyncResult *test_wait_result (GAsyncResult **res);

G_END_DECLS
