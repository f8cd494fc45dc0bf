/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* otad-test-require-probe [--module] NAME PACKAGE: runs the C check on NAME and prints
 * "found NAME" when it passes; tests/require/test-require.py runs it with NAME missing */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "otad-test-require.h"

int
main (int argc, char **argv)
{
	gboolean module = argc == 4 && strcmp (argv[1], "--module") == 0;

	if (argc != (module ? 4 : 3)) {
		fprintf (stderr, "usage: %s [--module] NAME PACKAGE\n", argv[0]);
		return 2;
	}
	if (module)
		otad_test_require_python_module (argv[2], argv[3]);
	else
		otad_test_require_program (argv[1], argv[2]);
	printf ("found %s\n", argv[module ? 2 : 1]);
	return 0;
}
